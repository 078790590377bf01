"""The warm start: with the default settings a fresh tiny model learns to write parseable workflows."""

from __future__ import annotations

from collections import Counter

from tiny_kit import POOL, PREFILL, QUESTIONS, messages, parses


def test_defaults_teach_the_format_at_temperature_one(warm_policy):
    pol, metrics, seconds = warm_policy
    assert metrics[-1]["loss"] < metrics[0]["loss"] / 5
    # The full pool: the warm start teaches the format and uniform worker choice (97% parseable with the
    # defaults, 1,500 steps at lr 1e-3 with the ids weighted; 86% after 600 steps; 94-96% at lr 3e-3 and 600
    # steps, which does not learn to keep to a sub-pool).
    pools = [POOL] * len(QUESTIONS)
    prompts = [pol.render_prompt(messages(q, POOL), PREFILL) for q in QUESTIONS]
    gens = pol.generate(prompts, n=32, temperature=1.0, seed=5)
    results = [(parses(g.text, pool), g) for pool, gs in zip(pools, gens, strict=True) for g in gs]
    rate = sum(ok for ok, _ in results) / len(results)
    print(f"warm start: {len(metrics)} steps in {seconds:.1f} s; parseable at T=1.0: {rate:.1%}")
    assert rate > 0.80
    assert sum(g.finish_reason == "stop" for _, g in results) / len(results) > 0.95
    # The warm start teaches the format, not a preference: many different workers open the plans.
    firsts = Counter(g.text.split("[", 1)[1].split(",", 1)[0].split("]", 1)[0] for ok, g in results if ok)
    assert len(firsts) >= 5


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


def test_defaults_keep_to_the_offered_sub_pool(warm_policy):
    """The id-weighted warm start reads which workers the prompt offers. On this short prompt (7 ids, pools of
    2-7) 7% of its plans still name an unlisted worker with the defaults (1,500 steps; 22% after 600), against
    about 50% for the unweighted warm start at lr 3e-3 (the first session's measurement); on the real compact
    prompt 7% against 57-62% (600 steps each)."""
    from conductor.workflow.parse import parse_workflow
    from conductor.workflow.schema import WorkflowError

    pol, _, _ = warm_policy
    pools = [[0, 2], [1, 5, 6], [3, 4], [0, 1, 2, 6]] * 3
    prompts = [pol.render_prompt(messages(QUESTIONS[i % len(QUESTIONS)], p), PREFILL) for i, p in enumerate(pools)]
    gens = pol.generate(prompts, n=16, temperature=1.0, seed=7)
    codes = Counter()
    for pool, gs in zip(pools, gens, strict=True):
        for g in gs:
            try:
                parse_workflow(g.text, pool_ids=set(pool))
                codes["ok"] += 1
            except WorkflowError as e:
                codes[e.code] += 1
    total = sum(codes.values())
    print(f"warm start on sub-pools: {dict(codes)}")
    assert codes["unknown_worker"] / total < 0.35
