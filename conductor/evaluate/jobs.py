"""The job set of one evaluation: the Conductor's plan for each held-out task and, with baselines, each
single worker's and random workflows' on the same tasks. Score it with
`score_jobs(..., seed=evaluation_seed(cfg.seed))`, as the iteration's evaluation step does."""

from __future__ import annotations

from typing import Any

from conductor.config import RunConfig
from conductor.evaluate.baselines import random_jobs, single_worker_jobs
from conductor.pool.spec import PoolSpec
from conductor.rollout.conductor_plans import conductor_jobs
from conductor.rollout.job import RolloutJob
from conductor.seeds import evaluation_seed
from conductor.tasks.schema import Task


def evaluation_jobs(
    policy: Any, tasks: list[Task], pool: PoolSpec, cfg: RunConfig, iteration: int, baselines: bool
) -> list[RolloutJob]:
    """The Conductor's plans at the evaluation temperature on `pool` as it is (no random sub-pool), then the
    baselines' when `baselines`."""
    jobs = conductor_jobs(
        policy,
        tasks,
        pool,
        cfg,
        iteration=iteration,
        samples=1,
        temperature=cfg.policy.eval_temperature,
        seed=evaluation_seed(cfg.seed),
        randomize_pool=False,
    )
    if baselines:
        for w in pool.ids:
            jobs += single_worker_jobs(tasks, pool, w)
        jobs += random_jobs(tasks, pool, cfg.seed, cfg.rollout.max_steps)
    return jobs
