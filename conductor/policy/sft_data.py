"""Synthetic valid workflows: the targets of the supervised warm start (and text for the tiny tokenizer).

A randomly initialised Conductor cannot write three parseable lists, so GRPO would see reward 0 everywhere
and learn nothing. The warm start teaches only the *format*: worker ids are drawn uniformly, so it carries no
preference that GRPO would have to unlearn. Topologies follow the paper's few-shot shapes (single answer;
attempt -> check -> refine; independent attempts -> aggregator; a mix), 1 to `max_steps` steps.
This is our choice ([open] in the paper, which warm-starts nothing: its 7B base already writes the format).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from conductor.workflow.schema import MAX_STEPS, Step, Workflow

SOLVE = ["Solve the problem.", "Solve it step by step."]
PLAN = ["Plan the solution."]
CHECK = ["Check the answer above."]
AGGREGATE = ["Give the final answer."]
# P(n steps) for n = 1..5: most mass on short plans (the paper's Conductor averages about 3 steps).
STEP_WEIGHTS = (0.25, 0.25, 0.2, 0.15, 0.15)


def random_workflow(
    rng: random.Random,
    pool_ids: Sequence[int],
    max_steps: int = MAX_STEPS,
    same_worker: float = 0.0,
    first: int | None = None,
) -> Workflow:
    """One valid workflow over `pool_ids`, of 1 to `max_steps` steps.

    The access entry follows from the subtask's role: a step that solves from scratch reads nothing ([]);
    a step that checks or aggregates reads everything before it (["all"]); the last of several steps always
    does. Besides being sensible, this lets a tiny model write the access list by copying roles rather than
    by counting, and a small phrase set leaves it little to learn but the structure: both halve the warm-up.

    With probability `same_worker` every step goes to one worker (still drawn uniformly): a plan that reuses
    its first worker, so that once GRPO has learnt which worker suits a question, longer plans inherit it.
    `first`, when given, is the first step's worker (and the one worker of such a plan).
    """
    weights = STEP_WEIGHTS[:max_steps]
    n = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
    shape = rng.choice(["chain", "parallel", "mix"])
    same = same_worker > 0 and rng.random() < same_worker
    only = (first if first is not None else rng.choice(list(pool_ids))) if same else None
    steps: list[Step] = []
    for i in range(n):
        if i == 0:
            reads = False
        elif i == n - 1:
            reads = True
        elif shape == "parallel":
            reads = False
        elif shape == "chain":
            reads = True
        else:
            reads = rng.random() < 0.5
        if reads:
            subtask = rng.choice(CHECK + AGGREGATE if i == n - 1 else CHECK)
        else:
            subtask = rng.choice(SOLVE + PLAN if i == 0 and shape == "mix" and n > 1 else SOLVE)
        if only is not None:
            worker = only
        elif i == 0 and first is not None:
            worker = first
        else:
            worker = rng.choice(list(pool_ids))
        steps.append(Step(worker=worker, subtask=subtask, access="all" if reads else "none"))
    return Workflow(steps=tuple(steps))


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


def random_workflow_texts(n: int, pool_ids: Sequence[int], seed: int = 0, max_steps: int = MAX_STEPS) -> list[str]:
    """`n` rendered workflows (the three-list text a Conductor writes), each ending the assistant turn."""
    rng = random.Random(seed)
    return [random_workflow(rng, pool_ids, max_steps).render() for _ in range(n)]
