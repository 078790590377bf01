"""The GRPO update from stored rows: ratio, direction, clipping, zero-variance groups, schedule, resume."""

from __future__ import annotations

import pytest
import torch
from update_kit import COMPLETION_A, COMPLETION_B, PROMPTS

from conductor.config import TrainConfig
from conductor.policy.logprobs import completion_logprobs, pack
from conductor.train.advantages import group_advantages
from conductor.train.grpo import UpdateRow, grpo_update, lr_at, make_optimizer


def _ids(policy, text):
    return policy.encode(text) + [policy.tokenizer.eos_token_id]


def _logprobs(policy, prompt, ids) -> list[float]:
    batch = pack([policy.encode(prompt)], [ids], policy.pad_token_id, policy.device)
    with torch.no_grad():
        lp, _ = completion_logprobs(policy.model, batch, policy.cfg.temperature)
    return lp[0].tolist()


def _row(policy, prompt, text, adv, shift=0.0):
    ids = _ids(policy, text)
    return UpdateRow(prompt, ids, [x + shift for x in _logprobs(policy, prompt, ids)], adv)


def _params(policy):
    return [p.detach().clone() for p in policy.trainable_parameters()]


def test_ratio_is_one_before_the_first_step(micro):
    """Old log-probs recorded at sampling time equal the recomputed ones, so the first ratio is 1."""
    gens = micro.generate(PROMPTS, n=4, max_new_tokens=20, seed=0)
    rewards = [1.0, 0.5, 0.0, 0.25] * 2  # no advantage exactly 0: every row enters
    groups = ["p0"] * 4 + ["p1"] * 4
    adv, _ = group_advantages(rewards, groups)
    rows = [
        UpdateRow(p, g.token_ids, g.logprobs, a)
        for (p, g), a in zip([(p, g) for p, gs in zip(PROMPTS, gens, strict=True) for g in gs], adv, strict=True)
    ]
    _, metrics = grpo_update(micro, rows, TrainConfig(learning_rate=1e-3, micro_batch_size=3))
    first = metrics[0]
    assert first["ratio_mean"] == pytest.approx(1.0, abs=1e-5)
    assert 1 - 1e-4 < first["ratio_min"] <= first["ratio_max"] < 1 + 1e-4
    assert first["clip_fraction"] == 0.0
    assert first["grad_norm"] > 0 and first["entropy"] > 0
    assert first["rows"] == 8 and first["tokens"] == sum(len(r.completion_ids) for r in rows)


def test_update_raises_the_preferred_completion(micro):
    prompt = PROMPTS[0]
    ids_a, ids_b = _ids(micro, COMPLETION_A), _ids(micro, COMPLETION_B)
    before = sum(_logprobs(micro, prompt, ids_a)) - sum(_logprobs(micro, prompt, ids_b))
    cfg = TrainConfig(learning_rate=3e-3, epochs=3)
    opt = None
    for _ in range(2):  # two iterations, each from fresh "old" log-probs, as the pipeline does
        rows = [_row(micro, prompt, COMPLETION_A, 1.0), _row(micro, prompt, COMPLETION_B, -1.0)]
        opt, metrics = grpo_update(micro, rows, cfg, optimizer=opt)
    after = sum(_logprobs(micro, prompt, ids_a)) - sum(_logprobs(micro, prompt, ids_b))
    assert after > before + 1.0
    assert len(metrics) == 3 and metrics[-1]["step"] == 5


def test_clipping_engages_outside_the_trust_region(micro):
    prompt = PROMPTS[1]
    cfg = TrainConfig(learning_rate=1e-3, clip_epsilon=0.2, kl_beta=0.0)  # the surrogate alone: a KL term pushes anyway
    # old = new - 0.5: ratio e^0.5 = 1.65 > 1.2. With A > 0 the clipped term wins and has no gradient.
    before = _params(micro)
    _, m = grpo_update(micro, [_row(micro, prompt, COMPLETION_A, 1.0, shift=-0.5)], cfg)
    assert m[0]["ratio_mean"] == pytest.approx(1.6487, rel=1e-3)
    assert m[0]["clip_fraction"] == 1.0 and m[0]["grad_norm"] == 0.0
    assert all(torch.equal(a, b) for a, b in zip(before, _params(micro), strict=True))
    # With A < 0 the pessimistic bound keeps the unclipped term: not clipped, and it pushes.
    _, m = grpo_update(micro, [_row(micro, prompt, COMPLETION_A, -1.0, shift=-0.5)], cfg)
    assert m[0]["clip_fraction"] == 0.0 and m[0]["grad_norm"] > 0
    # Ratio below 1 - eps with A < 0: clipped again.
    _, m = grpo_update(micro, [_row(micro, prompt, COMPLETION_A, -1.0, shift=+0.5)], cfg)
    assert m[0]["ratio_mean"] == pytest.approx(0.6065, rel=1e-3)
    assert m[0]["clip_fraction"] == 1.0 and m[0]["grad_norm"] == 0.0


def test_zero_variance_groups_contribute_nothing(micro_dir):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy

    cfg = TrainConfig(learning_rate=1e-3)
    texts = [COMPLETION_A, COMPLETION_B, COMPLETION_A + " ", COMPLETION_B + "\n"]
    rewards = [1.0, 0.0, 0.5, 0.5]  # group "g" has signal, group "flat" does not
    groups = ["g", "g", "flat", "flat"]
    adv, stats = group_advantages(rewards, groups)
    assert stats.zero_variance_groups == 1 and adv[2:] == [0.0, 0.0]

    runs = []
    for subset in ([0, 1, 2, 3], [0, 1]):
        pol = Policy.load(micro_dir, PolicyConfig(device="cpu"))
        rows = [_row(pol, PROMPTS[0], texts[i], adv[i]) for i in subset]
        _, m = grpo_update(pol, rows, cfg)
        runs.append((_params(pol), m))
    (with_flat, m_flat), (without, _) = runs
    assert m_flat[0]["skipped_zero_advantage"] == 2 and m_flat[0]["rows"] == 2
    assert all(torch.equal(a, b) for a, b in zip(with_flat, without, strict=True))

    pol = Policy.load(micro_dir, PolicyConfig(device="cpu"))
    before = _params(pol)
    _, m = grpo_update(pol, [_row(pol, PROMPTS[0], texts[i], 0.0) for i in (2, 3)], cfg)
    assert m == []
    assert all(torch.equal(a, b) for a, b in zip(before, _params(pol), strict=True))


def test_dapo_normalisation_is_independent_of_micro_batching(micro_dir):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy

    out = []
    for micro_batch in (1, 8):
        pol = Policy.load(micro_dir, PolicyConfig(device="cpu"))
        rows = [
            _row(pol, PROMPTS[0], COMPLETION_A, 1.0),
            _row(pol, PROMPTS[1], COMPLETION_B, -0.5),
            _row(pol, PROMPTS[1], COMPLETION_A, 0.3),
        ]
        sgd = torch.optim.SGD(pol.trainable_parameters(), lr=1.0)  # the step is the gradient itself (Adam hides scale)
        grpo_update(
            pol, rows, TrainConfig(learning_rate=1.0, loss_type="dapo", micro_batch_size=micro_batch, kl_beta=0.0), sgd
        )
        out.append(_params(pol))
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(*out, strict=True))
    assert not all(
        torch.equal(a, b) for a, b in zip(out[0], _params(Policy.load(micro_dir, PolicyConfig())), strict=True)
    )


def test_kl_term_starts_at_zero(micro):
    rows = [_row(micro, PROMPTS[0], COMPLETION_A, 1.0), _row(micro, PROMPTS[0], COMPLETION_B, -1.0)]
    _, m = grpo_update(micro, rows, TrainConfig(learning_rate=1e-3, kl_beta=0.1, epochs=2))
    assert m[0]["kl"] == pytest.approx(0.0, abs=1e-6)  # the reference is the base the policy starts from
    assert m[1]["kl"] > 0


def test_lr_schedule():
    cfg = TrainConfig(learning_rate=1e-6, lr_schedule="cosine", warmup_ratio=0.03, schedule_steps=200)
    assert lr_at(0, cfg) == 0.0  # warm-up from 0, as transformers' cosine schedule
    assert lr_at(3, cfg) == pytest.approx(0.5e-6)
    assert lr_at(6, cfg) == pytest.approx(1e-6)
    assert lr_at(103, cfg) == pytest.approx(0.5e-6)
    assert lr_at(200, cfg) == pytest.approx(0.0, abs=1e-15)
    assert lr_at(50, TrainConfig(learning_rate=2e-4)) == 2e-4


def test_schedule_position_survives_a_checkpoint(micro, tmp_path):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy, load_optimizer_state

    cfg = TrainConfig(learning_rate=1e-3, lr_schedule="cosine", schedule_steps=10, mini_batch_size=1)
    rows = [_row(micro, PROMPTS[0], COMPLETION_A, 1.0), _row(micro, PROMPTS[0], COMPLETION_B, -1.0)]
    opt, m = grpo_update(micro, rows, cfg)
    assert [x["step"] for x in m] == [0, 1]
    ckpt = micro.save(tmp_path / "it1", optimizer=opt)
    again = Policy.load(ckpt, PolicyConfig(device="cpu"))
    opt2 = make_optimizer(again, cfg)
    assert load_optimizer_state(opt2, ckpt)
    _, m2 = grpo_update(again, rows, cfg, optimizer=opt2)
    assert [x["step"] for x in m2] == [2, 3]
    assert m2[0]["lr"] == pytest.approx(lr_at(2, cfg))


def test_rows_are_checked(micro):
    with pytest.raises(ValueError, match="one old log-prob per completion token"):
        grpo_update(micro, [UpdateRow(PROMPTS[0], [1, 2, 3], [-1.0], 1.0)], TrainConfig())
