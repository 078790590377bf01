"""End-to-end fixtures: a small but real run config (tiny Conductor, SIMULATED pool, real tasks).

The tiny Conductor is built and warm-started once per session, from the real prompts of the real tasks, and
then passed to each run as its base model (`policy.base_model=<path>`), so every test starts from a policy
that writes the format often enough for GRPO to have something to learn from. The runs keep the tiny
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


@pytest.fixture(scope="session")
def warm_checkpoint(tmp_path_factory) -> str:
    from conductor.config import Paths, load_run_config
    from conductor.iteration.campaign import load_all_tasks
    from conductor.pool.spec import load_pool
    from conductor.tiny.bootstrap import tiny_checkpoint

    paths = Paths(home=tmp_path_factory.mktemp("warm-home"))
    cfg = load_run_config(None, ["tiny.sft_steps=300"])
    tasks = load_all_tasks(cfg, paths)
    return str(tiny_checkpoint(cfg, paths, tasks, load_pool(), n_examples=1200))


@pytest.fixture
def small_overrides(warm_checkpoint) -> list[str]:
    return [*SMALL, f"policy.base_model={warm_checkpoint}", "tiny.question_chars=120"]
