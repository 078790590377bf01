"""One evaluation: every method on the same tasks and pool, `repeats` times, through one executor and one
worker client (its limits, retries, budget and call cache shared), scored into store rows.

    rows = run_evaluation(policy, tasks, pool, cfg, methods, repeats=4, seed=0, run_id=..., iteration=0)

The per-iteration evaluation of a campaign (conductor.iteration.steps.evaluate_step) calls this with the
cheap method set (methods.ITERATION_METHODS); `conductor eval` and the evaluate flow with all of them. Rows
are RolloutRows with phase "eval", `policy` = the method's name, `repeat` and `checkpoint` set, and the
Conductor's own tokens on its rows. `oracle` makes no calls and has no rows (metrics.oracle_summaries).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from conductor.config import RunConfig
from conductor.evaluate.baselines import (
    consensus_jobs,
    moa_jobs,
    random_jobs,
    single_worker_jobs,
    vote_jobs,
    with_majority_answer,
)
from conductor.evaluate.conductor_method import conductor_answers, first_round_jobs
from conductor.evaluate.methods import Method
from conductor.evaluate.reflect import reflect_executions
from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.rollout.job import RolloutJob
from conductor.rollout.scoring import execute_jobs, score_executions
from conductor.seeds import repeat_seed
from conductor.store.schema import RolloutRow
from conductor.tasks.schema import Task
from conductor.workflow.result import Execution
from conductor.workflow.schema import Step, Workflow

Progress = Callable[[str], None]


def _baseline_jobs(method: Method, tasks: list[Task], pool: PoolSpec, cfg: RunConfig, seed: int, repeat: int):
    if method.kind == "single":
        return single_worker_jobs(tasks, pool, int(method.worker or 0), repeat)
    if method.kind == "consensus":
        return consensus_jobs(tasks, pool, int(method.worker or 0), repeat)
    if method.kind == "vote":
        return vote_jobs(tasks, pool, repeat)
    if method.kind == "moa":
        return moa_jobs(tasks, pool, seed, repeat)
    if method.kind == "random":
        return random_jobs(tasks, pool, seed, cfg.rollout.max_steps, repeat)
    raise ValueError(f"not a plan baseline: {method.name}")


async def _run_method(
    method: Method,
    policy: Any,
    tasks: list[Task],
    pool: PoolSpec,
    cfg: RunConfig,
    client: PoolClient,
    *,
    seed: int,
    repeat: int,
    iteration: int,
) -> tuple[list[RolloutJob], list[Execution | None], list[tuple[int, int]]]:
    """The jobs of one method and repeat, what running them gave, and the Conductor's tokens per job."""
    if method.kind == "conductor":
        jobs = first_round_jobs(policy, tasks, pool, cfg, iteration=iteration, seed=seed, repeat=repeat)
        for j in jobs:
            j.policy = method.name
        answers = await conductor_answers(
            policy, jobs, pool, cfg, client, rounds=method.rounds, seed=seed, repeat=repeat
        )
        return jobs, [a.execution for a in answers], [(a.prompt_tokens, a.completion_tokens) for a in answers]
    if method.kind == "reflect":
        w = int(method.worker or 0)
        executions: list[Execution | None] = list(await reflect_executions(tasks, w, client, seed, repeat))
        jobs = [
            RolloutJob(
                task=t,
                pool_ids=pool.ids,
                policy=method.name,
                group_id=f"{method.name}:{t.id}",
                sample=repeat,
                workflow=Workflow(
                    steps=tuple(Step(worker=s.worker, subtask=s.subtask, access=s.access) for s in ex.steps)
                )
                if ex is not None
                else None,
            )
            for t, ex in zip(tasks, executions, strict=True)
        ]
        return jobs, executions, [(0, 0)] * len(jobs)
    jobs = _baseline_jobs(method, tasks, pool, cfg, seed, repeat)
    executions = await execute_jobs(jobs, client, repeat_seed(seed, repeat))
    if method.kind in ("vote", "consensus"):
        executions = [
            with_majority_answer(j.task, e) if e is not None else None for j, e in zip(jobs, executions, strict=True)
        ]
    return jobs, executions, [(0, 0)] * len(jobs)


def run_evaluation(
    policy: Any,
    tasks: list[Task],
    pool: PoolSpec,
    cfg: RunConfig,
    methods: list[Method],
    *,
    repeats: int,
    seed: int,
    run_id: str,
    iteration: int,
    checkpoint: str = "",
    client_kwargs: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> list[RolloutRow]:
    """Every method x repeat on `tasks`; store-ready rows (oracle excluded: it has no rows)."""
    say = progress or (lambda _m: None)
    outcomes: list[tuple[list[RolloutJob], list[Execution | None], list[tuple[int, int]], int]] = []

    async def run_all() -> None:
        client = PoolClient(pool, **(client_kwargs or {}))
        try:
            for repeat in range(repeats):
                for m in methods:
                    if not m.calls_workers:
                        continue
                    jobs, exs, toks = await _run_method(
                        m, policy, tasks, pool, cfg, client, seed=seed, repeat=repeat, iteration=iteration
                    )
                    outcomes.append((jobs, exs, toks, repeat))
                    say(f"  {m.name}: repeat {repeat + 1}/{repeats} done")
        finally:
            await client.aclose()

    asyncio.run(run_all())
    rows: list[RolloutRow] = []
    for jobs, exs, toks, repeat in outcomes:
        scored = score_executions(jobs, exs, pool, cfg, run_id=run_id, iteration=iteration, phase="eval")
        for row, (pt, ct) in zip(scored, toks, strict=True):
            update: dict[str, Any] = {"repeat": repeat, "checkpoint": checkpoint}
            if row.policy.startswith("conductor"):
                update.update(conductor_prompt_tokens=pt, conductor_completion_tokens=ct)
            rows.append(row.model_copy(update=update))
    return rows
