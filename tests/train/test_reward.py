"""The paper's 0 / 0.5 / 1 reward, the optional cost term, the fault policy and the recursion mix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conductor.config import TrainConfig
from conductor.train.reward import compute_reward, recursion_reward, should_drop


@pytest.mark.parametrize(
    ("parsed", "ran", "correct", "total"),
    [
        (False, False, False, 0.0),
        (False, True, True, 0.0),
        (True, False, True, 0.0),
        (True, True, False, 0.5),
        (True, True, True, 1.0),
    ],
)
def test_paper_levels(parsed, ran, correct, total):
    parts = compute_reward(parsed=parsed, ran=ran, correct=correct, cost_usd=0.3)
    assert parts.total == total
    assert parts.cost_penalty == 0.0  # no cost term by default (paper: no regularisation)
    assert parts.format + parts.correctness - parts.cost_penalty == parts.total


def test_cost_term_only_when_weighted_and_run():
    cfg = TrainConfig(cost_weight=2.0)
    right = compute_reward(parsed=True, ran=True, correct=True, cost_usd=0.1, cfg=cfg)
    assert (right.format, right.correctness, right.cost_penalty) == (0.5, 0.5, pytest.approx(0.2))
    assert right.total == pytest.approx(0.8)
    failed = compute_reward(parsed=False, ran=False, correct=False, cost_usd=0.1, cfg=cfg)
    assert failed.total == 0.0 and failed.cost_penalty == 0.0


def test_fault_policy():
    assert should_drop("timeout after 3 attempts", TrainConfig(infra_fault_policy="drop"))
    assert not should_drop("timeout after 3 attempts", TrainConfig(infra_fault_policy="zero"))
    assert not should_drop(None, TrainConfig(infra_fault_policy="drop"))


@given(st.sampled_from([0.0, 0.5, 1.0]), st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 1))
def test_recursion_mix(r1, r2, d):
    mixed = recursion_reward(r1, r2, d)
    assert min(r1, r2) - 1e-12 <= mixed <= max(r1, r2) + 1e-12
    assert mixed == pytest.approx((1 - d) * r1 + d * r2)


def test_recursion_default_discount_and_range():
    d = TrainConfig().recursion_discount
    assert d == 0.25  # the paper's value (the authors' code: 0.2)
    assert recursion_reward(1.0, 0.0, d) == 0.75
    with pytest.raises(ValueError):
        recursion_reward(1.0, 0.0, 1.5)
