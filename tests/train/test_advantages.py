"""Group-relative advantages: TRL's formula, zero-variance groups counted and silenced."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conductor.train.advantages import group_advantages


def test_formula_matches_trl():
    rewards = [1.0, 0.5, 0.5, 0.0]
    adv, stats = group_advantages(rewards, ["g"] * 4)
    mean, std = statistics.mean(rewards), statistics.stdev(rewards)  # unbiased, as torch.std
    assert adv == pytest.approx([(r - mean) / (std + 1e-4) for r in rewards])
    assert (stats.n_groups, stats.zero_variance_groups, stats.n_rows) == (1, 0, 4)


def test_zero_variance_groups_are_zero_and_counted():
    rewards = [1.0, 1.0, 1.0, 0.0, 0.5, 0.0, 0.0, 0.0]
    groups = ["a", "a", "a", "b", "b", "c", "c", "c"]
    adv, stats = group_advantages(rewards, groups)
    assert adv[:3] == [0.0, 0.0, 0.0] and adv[5:] == [0.0, 0.0, 0.0]
    assert adv[3] < 0 < adv[4]
    assert (stats.n_groups, stats.zero_variance_groups) == (3, 2)
    assert stats.zero_variance_fraction == pytest.approx(2 / 3)


def test_groups_need_not_be_adjacent_and_singletons_are_silent():
    adv, stats = group_advantages([1.0, 0.0, 0.0, 0.5], ["x", "y", "x", "solo"])
    assert adv[0] > 0 > adv[2] and adv[1] == 0.0 and adv[3] == 0.0
    assert stats.zero_variance_groups == 2  # "y" and "solo": one sample each


def test_unscaled_variant():
    adv, _ = group_advantages([1.0, 0.0], ["g", "g"], scale=False)
    assert adv == [0.5, -0.5]


def test_length_mismatch():
    with pytest.raises(ValueError):
        group_advantages([1.0], ["a", "b"])


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from([0.0, 0.5, 1.0])), min_size=1, max_size=40))
def test_each_group_is_centred(rows):
    groups = [g for g, _ in rows]
    adv, stats = group_advantages([r for _, r in rows], groups)
    for g in set(groups):
        assert abs(sum(a for a, gg in zip(adv, groups, strict=True) if gg == g)) < 1e-9
    assert stats.n_groups == len(set(groups))
