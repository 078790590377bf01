"""Baseline workflows, run through the same executor and verifiers as the Conductor's.

- single:<id>  one step, that worker, told to solve the problem (the paper's single-worker baseline);
- random       a random valid workflow within the step limit, from the same distribution as the tiny
               Conductor's warm start (conductor.policy.sft_data): what a Conductor that learned nothing but
               the format would score.
"""

from __future__ import annotations

import random

from conductor.iteration.scoring import Job, job_seed
from conductor.pool.spec import PoolSpec
from conductor.tasks.schema import Task
from conductor.workflow.schema import Step, Workflow

SOLVE = "Solve the problem and give the final answer."


def single_worker_jobs(tasks: list[Task], pool: PoolSpec, worker_id: int) -> list[Job]:
    wf = Workflow(steps=(Step(worker=worker_id, subtask=SOLVE, access="none"),))
    return [
        Job(
            task=t,
            pool_ids=pool.ids,
            policy=f"single:{worker_id}",
            group_id=f"single:{worker_id}:{t.id}",
            sample=0,
            workflow=wf,
        )
        for t in tasks
    ]


def random_jobs(tasks: list[Task], pool: PoolSpec, seed: int, max_steps: int = 5) -> list[Job]:
    from conductor.policy.sft_data import random_workflow

    rng = random.Random(job_seed(seed, "random-baseline"))
    return [
        Job(
            task=t,
            pool_ids=pool.ids,
            policy="random",
            group_id=f"random:{t.id}",
            sample=0,
            workflow=random_workflow(rng, list(pool.ids), max_steps),
        )
        for t in tasks
    ]
