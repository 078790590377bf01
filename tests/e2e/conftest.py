"""End-to-end fixtures: a small but real run config (tiny Conductor, SIMULATED pool, real tasks).

The tiny Conductor is built and warm-started once per session, from the real prompts of the real tasks, and
then passed to each run as its base model (`policy.base_model=<path>`), so every test starts from a policy
that writes the format often enough for GRPO to have something to learn from.
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
    from conductor.iteration.bootstrap import initial_checkpoint
    from conductor.iteration.campaign import load_all_tasks
    from conductor.pool.spec import load_pool

    paths = Paths(home=tmp_path_factory.mktemp("warm-home"))
    cfg = load_run_config(None, ["policy.sft_steps=300"])
    tasks = load_all_tasks(cfg, paths)
    return str(initial_checkpoint(cfg, paths, tasks, load_pool(), n_examples=1200))


@pytest.fixture
def small_overrides(warm_checkpoint) -> list[str]:
    return [*SMALL, f"policy.base_model={warm_checkpoint}"]
