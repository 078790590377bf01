"""The warm start: with the default settings a fresh tiny model learns to write parseable workflows."""

from __future__ import annotations

from collections import Counter

from policy_kit import POOL, PREFILL, QUESTIONS, messages, parses


def test_defaults_teach_the_format_at_temperature_one(warm_policy):
    pol, metrics, seconds = warm_policy
    assert metrics[-1]["loss"] < metrics[0]["loss"] / 5
    # The full pool: the warm start teaches the format and uniform worker choice; keeping to a random
    # sub-pool (copying ids from the prompt) is beyond it (~50% of plans use an unlisted id) and left to GRPO.
    pools = [POOL] * len(QUESTIONS)
    prompts = [pol.render_prompt(messages(q, POOL), PREFILL) for q in QUESTIONS]
    gens = pol.generate(prompts, n=32, temperature=1.0, seed=5)
    results = [(parses(g.text, pool), g) for pool, gs in zip(pools, gens, strict=True) for g in gs]
    rate = sum(ok for ok, _ in results) / len(results)
    print(f"warm start: {len(metrics)} steps in {seconds:.1f} s; parseable at T=1.0: {rate:.1%}")
    assert rate > 0.90
    assert sum(g.finish_reason == "stop" for _, g in results) / len(results) > 0.95
    # The warm start teaches the format, not a preference: many different workers open the plans.
    firsts = Counter(g.text.split("[", 1)[1].split(",", 1)[0].split("]", 1)[0] for ok, g in results if ok)
    assert len(firsts) >= 5


def test_loss_counts_completion_tokens_only(policy):
    from conductor.policy.sft import warm_start

    prompt = policy.render_prompt(messages(QUESTIONS[0], [1, 2]), PREFILL)
    completion = 'model_id = [1]\nsubtasks = ["Solve the problem."]\naccess_list = [[]]'
    m = warm_start(policy, [(prompt, completion)], steps=2, lr=1e-3, batch_size=1)
    assert m[0]["tokens"] == len(policy.encode(completion)) + 1  # + the end-of-turn token
    assert m[1]["loss"] < m[0]["loss"]
