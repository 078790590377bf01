"""The warm start's mechanics: the loss falls on completion tokens, weighted on worker ids and the thought line;
lead words are one token each. Whether the default settings teach the format (a learning target, 4 minutes of
training) is measured by `python -m benchmarks.warm_start`, not asserted here."""

from __future__ import annotations

from tiny_kit import PREFILL, QUESTIONS, messages


def test_loss_counts_completion_tokens_only(policy):
    from conductor.tiny.warm_start import warm_start

    prompt = policy.render_prompt(messages(QUESTIONS[0], [1, 2]), PREFILL)
    completion = 'model_id = [1]\nsubtasks = ["Solve the problem."]\naccess_list = [[]]'
    m = warm_start(policy, [(prompt, completion)], steps=2, lr=1e-3, batch_size=1)
    assert m[0]["tokens"] == len(policy.encode(completion)) + 1  # + the end-of-turn token
    assert m[1]["loss"] < m[0]["loss"]


def test_loss_weights_fall_on_worker_ids_and_the_thought_line(policy):
    from conductor.tiny.thought import thought_line
    from conductor.tiny.warm_start import _loss_weights

    plain = 'model_id = [3, 0, 6]\nsubtasks = ["Solve the problem.", "Solve the problem.", "Check the answer above."]'
    ids = policy.encode(plain)
    w = _loss_weights(policy, plain, ids, 10.0)
    heavy = [policy.tokenizer.decode([t]) for t, x in zip(ids, w, strict=True) if x == 10.0]
    assert [h.strip() for h in heavy] == ["3", "0", "6"]  # the digits of the first list, nothing else
    assert _loss_weights(policy, plain, ids, 1.0) == [1.0] * len(ids)

    with_thought = f"{thought_line('math')}\n{plain}"
    ids = policy.encode(with_thought)
    w = _loss_weights(policy, with_thought, ids, 10.0)
    n_thought = len(policy.encode(thought_line("math") + "\n"))
    assert all(x == 10.0 for x in w[:n_thought])
    assert sum(x == 10.0 for x in w[n_thought:]) == 3


def test_each_kind_chooses_its_lead_among_tokens_of_its_own(tmp_path):
    """The design rests on this (docs/design.md): trained on warm-start text, the tokenizer makes every lead
    word one token, so choosing a lead for one kind of question moves no other kind's choice."""
    import random

    from transformers import AutoTokenizer

    from conductor.tiny.model import build_tiny_conductor
    from conductor.tiny.thought import lead_word, thought_line
    from conductor.workflow.random_plans import random_workflow

    rng = random.Random(0)
    domains, workers = ("math", "science", "code"), range(5)
    # about as many warm-start targets per lead word as the real bootstrap writes (24,000 over 15 words)
    corpus = [
        f"{thought_line(rng.choice(domains), rng.choice(workers))}\n{random_workflow(rng, [0, 1, 2]).render()}"
        for _ in range(3000)
    ] + list(QUESTIONS)
    tok = AutoTokenizer.from_pretrained(build_tiny_conductor(tmp_path, corpus))
    ids = {(d, w): tok.encode(f" {lead_word(d, w)}", add_special_tokens=False) for d in domains for w in workers}
    assert all(len(v) == 1 for v in ids.values()), ids
    assert len({v[0] for v in ids.values()}) == len(ids)
