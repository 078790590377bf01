"""Baseline workflows, run through the same executor and verifiers as the Conductor's.

- single:<id>  one step, that worker, told to solve the problem (the paper's single-worker baseline);
- random       a random valid workflow within the step limit (conductor.workflow.random_plans, the same
               distribution as the tiny Conductor's warm-start targets): what a Conductor that learned
               nothing but the format would score.
"""

from __future__ import annotations

import random

from conductor.pool.spec import PoolSpec
from conductor.rollout.job import RolloutJob
from conductor.seeds import random_baseline_seed
from conductor.tasks.schema import Task
from conductor.workflow.random_plans import random_workflow
from conductor.workflow.schema import Step, Workflow

SOLVE = "Solve the problem and give the final answer."


def single_worker_jobs(tasks: list[Task], pool: PoolSpec, worker_id: int) -> list[RolloutJob]:
    wf = Workflow(steps=(Step(worker=worker_id, subtask=SOLVE, access="none"),))
    return [
        RolloutJob(
            task=t,
            pool_ids=pool.ids,
            policy=f"single:{worker_id}",
            group_id=f"single:{worker_id}:{t.id}",
            sample=0,
            workflow=wf,
        )
        for t in tasks
    ]


def random_jobs(tasks: list[Task], pool: PoolSpec, seed: int, max_steps: int = 5) -> list[RolloutJob]:
    rng = random.Random(random_baseline_seed(seed))
    return [
        RolloutJob(
            task=t,
            pool_ids=pool.ids,
            policy="random",
            group_id=f"random:{t.id}",
            sample=0,
            workflow=random_workflow(rng, list(pool.ids), max_steps),
        )
        for t in tasks
    ]
