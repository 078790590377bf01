"""End-to-end fixtures: a small but real run config (tiny Conductor, SIMULATED pool, real tasks).

The tiny Conductor is built and warm-started once per session (`warm_checkpoint`, in tests/conftest.py, as
tests/serve serves it too), from the real prompts of the real tasks, and then passed to each run as its base
model (`policy.base_model=<path>`), so every test starts from a policy that writes the format often enough for
GRPO to have something to learn from. The runs keep the tiny
recipe's settings (`tiny.question_chars`): the checkpoint was trained on cropped questions.
"""

from __future__ import annotations

import pytest

SMALL = [
    "rollout.tasks_per_iteration=3",
    "rollout.group_size=4",
    "eval.tasks=6",
    "policy.max_new_tokens=120",
    "iterations=2",
]


@pytest.fixture
def small_overrides(warm_checkpoint) -> list[str]:
    return [*SMALL, f"policy.base_model={warm_checkpoint}", "tiny.question_chars=120"]
