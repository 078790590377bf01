"""The thought line and the lead word: the one line the tiny Conductor writes before its three lists.

Only the tiny recipe uses them (its warm-start targets open with the line, `tiny.thought` / `tiny.lead`);
the parser skips any text before the lists, so a real base model's own reasoning and this line are read
alike. Why the line exists and why the lead is one word: docs/design.md, "Routing by kind needs a choice of
the kind's own: the lead word".
"""

from __future__ import annotations

THOUGHT = "This is a {domain} question."
NUMBER_WORDS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")


def lead_word(domain: str, worker: int) -> str:
    """One word for "this kind of question, led by this worker": `MathTwo`, `CodeOne`.

    Why one word: the tiny tokenizer is trained on the warm-start text, so each such word becomes one token
    of its own (checked at bootstrap), and choosing the lead is choosing among tokens that belong to one kind
    of question. GRPO then moves a kind's lead without moving the others'. Written as "Lead: math2", with a
    token per worker shared by every kind, the choice hardly depended on the kind: the warm start (uniform
    leads) had made the model's state at that position nearly the same for every kind (the kind's part was
    about 3% of its norm), so each update moved all kinds towards one worker (docs/design.md). Ids above
    nine keep their digits (a word of their own is not needed for the pools the tiny model is trained on).
    """
    return domain.capitalize() + (NUMBER_WORDS[worker] if 0 <= worker < len(NUMBER_WORDS) else str(worker))


def thought_line(domain: str, lead: int | None = None) -> str:
    """The one line of thinking a warm-start target opens with: what kind of question this is, and, with
    `lead`, which worker it wants for the first step.

    Why the kind: the three lists start with the worker ids, and a tiny model that has not read the question
    by then can only learn one plan for every question (docs/design.md). It prefers no worker, so it teaches
    no preference (the paper's Conductor thinks before its lists, too: section 3, "think first"). An earlier
    version also restated the offered ids ("... for models 0, 2."): on a pool larger than any seen in
    training the model garbled that list and then the plan, so the line names one worker at most.

    Why the lead (`lead_word`): it is where the Conductor says which worker suits this kind of question. In
    the warm start it is drawn uniformly from every worker training may offer, not only this prompt's, so it
    teaches no preference and depends on nothing but the question; the plan opens with it when it is offered.
    """
    line = THOUGHT.format(domain=domain)
    return line if lead is None else f"{line} Lead: {lead_word(domain, lead)}."
