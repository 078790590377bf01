"""Baseline workflows, run through the same executor, client and verifiers as the Conductor's plans.

- single:<id>     one step, that worker, told to solve the problem (the paper's single-worker baseline);
- random          a random valid workflow within the step limit (conductor.workflow.random_plans, the same
                  distribution as the tiny Conductor's warm-start targets);
- vote            one step per worker, none seeing another; the majority answer wins (majority.py);
- consensus:<id>  five independent steps of one worker; the majority answer wins (paper Table 5);
- moa             one step per worker (the proposer layer), then one randomly drawn worker that sees them all
                  and aggregates: len(pool) + 1 calls (the paper's MoA: 7 proposers + 1 aggregator = 8);
- reflect:<id>    the worker answers, then revises up to five times, each revision seeing every earlier attempt
                  (paper section 4.3); it stops early when a revision keeps the previous answer (reflect.py).
A baseline's plan is a Workflow like the Conductor's, so cost, tokens, latency and faults are counted alike.
"""

from __future__ import annotations

import random

from conductor.evaluate.majority import majority_index
from conductor.pool.spec import PoolSpec
from conductor.rollout.job import RolloutJob
from conductor.seeds import moa_aggregator_seed, random_baseline_seed, repeat_seed
from conductor.tasks.schema import Task
from conductor.workflow.random_plans import random_workflow
from conductor.workflow.result import Execution
from conductor.workflow.schema import Step, Workflow

SOLVE = "Solve the problem and give the final answer."
AGGREGATE = "Several candidate answers are shown above. Compare them, correct any mistakes, and give the final answer."
CONSENSUS_SAMPLES = 5


def single_workflow(worker_id: int) -> Workflow:
    return Workflow(steps=(Step(worker=worker_id, subtask=SOLVE, access="none"),))


def vote_workflow(pool: PoolSpec) -> Workflow:
    return Workflow(steps=tuple(Step(worker=w, subtask=SOLVE, access="none") for w in pool.ids))


def consensus_workflow(worker_id: int, samples: int = CONSENSUS_SAMPLES) -> Workflow:
    """Independent samples: same message, each step its own request seed (conductor.seeds.step_seed)."""
    return Workflow(steps=tuple(Step(worker=worker_id, subtask=SOLVE, access="none") for _ in range(samples)))


def moa_workflow(pool: PoolSpec, aggregator: int) -> Workflow:
    proposers = tuple(Step(worker=w, subtask=SOLVE, access="none") for w in pool.ids)
    return Workflow(steps=(*proposers, Step(worker=aggregator, subtask=AGGREGATE, access="all")))


def _job(task: Task, pool: PoolSpec, name: str, repeat: int, workflow: Workflow) -> RolloutJob:
    return RolloutJob(
        task=task, pool_ids=pool.ids, policy=name, group_id=f"{name}:{task.id}", sample=repeat, workflow=workflow
    )


def single_worker_jobs(tasks: list[Task], pool: PoolSpec, worker_id: int, repeat: int = 0) -> list[RolloutJob]:
    return [_job(t, pool, f"single:{worker_id}", repeat, single_workflow(worker_id)) for t in tasks]


def vote_jobs(tasks: list[Task], pool: PoolSpec, repeat: int = 0) -> list[RolloutJob]:
    return [_job(t, pool, "vote", repeat, vote_workflow(pool)) for t in tasks]


def consensus_jobs(tasks: list[Task], pool: PoolSpec, worker_id: int, repeat: int = 0) -> list[RolloutJob]:
    return [_job(t, pool, f"consensus:{worker_id}", repeat, consensus_workflow(worker_id)) for t in tasks]


def moa_jobs(tasks: list[Task], pool: PoolSpec, seed: int, repeat: int = 0) -> list[RolloutJob]:
    """The aggregator is drawn per task and repeat (uniformly from the pool)."""
    out = []
    for t in tasks:
        rng = random.Random(moa_aggregator_seed(repeat_seed(seed, repeat), t.id))
        out.append(_job(t, pool, "moa", repeat, moa_workflow(pool, rng.choice(list(pool.ids)))))
    return out


def random_jobs(tasks: list[Task], pool: PoolSpec, seed: int, max_steps: int = 5, repeat: int = 0) -> list[RolloutJob]:
    rng = random.Random(random_baseline_seed(repeat_seed(seed, repeat)))
    return [_job(t, pool, "random", repeat, random_workflow(rng, list(pool.ids), max_steps)) for t in tasks]


def with_majority_answer(task: Task, execution: Execution) -> Execution:
    """A vote's execution with its answer replaced by the majority of its steps' outputs."""
    if not execution.ok or not execution.steps:
        return execution
    i = majority_index(task, [s.output for s in execution.steps])
    return execution.model_copy(update={"answer": execution.steps[i].output if i is not None else ""})
