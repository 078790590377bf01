"""The per-iteration job set as one list of jobs (kept for callers that score jobs themselves, such as
benchmarks/learning.py): the Conductor's plan for each task and, with baselines, each single worker's and
random workflows' on the same tasks. Score it with `score_jobs(..., seed=evaluation_seed(cfg.seed))`.
New code calls conductor.evaluate.run.run_evaluation, which runs any method set with repeats."""

from __future__ import annotations

from typing import Any

from conductor.config import RunConfig
from conductor.evaluate.baselines import random_jobs, single_worker_jobs
from conductor.evaluate.conductor_method import first_round_jobs
from conductor.pool.spec import PoolSpec
from conductor.rollout.job import RolloutJob
from conductor.seeds import evaluation_seed
from conductor.tasks.schema import Task


def evaluation_jobs(
    policy: Any, tasks: list[Task], pool: PoolSpec, cfg: RunConfig, iteration: int, baselines: bool
) -> list[RolloutJob]:
    """Repeat 0 of run_evaluation's conductor, single:<id> and random methods, as jobs (same seeds)."""
    jobs = first_round_jobs(policy, tasks, pool, cfg, iteration=iteration, seed=evaluation_seed(cfg.seed), repeat=0)
    if baselines:
        for w in pool.ids:
            jobs += single_worker_jobs(tasks, pool, w)
        jobs += random_jobs(tasks, pool, cfg.seed, cfg.rollout.max_steps)
    return jobs
