"""End-to-end fixtures: a small but real run config (tiny Conductor, SIMULATED pool, real tasks)."""

from __future__ import annotations

import pytest

SMALL = [
    "rollout.tasks_per_iteration=3",
    "rollout.group_size=4",
    "eval.tasks=6",
    "policy.sft_steps=40",
    "policy.max_new_tokens=120",
    "iterations=2",
]


@pytest.fixture
def small_overrides() -> list[str]:
    return list(SMALL)
