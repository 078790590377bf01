"""Executing, verifying and rewarding a batch of workflows: shared by training rollouts, evaluation of the
Conductor and the baselines, so every number in a table comes from the same code path.
"""

from __future__ import annotations

import asyncio
import json
import uuid

from conductor.config import RunConfig
from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.rollout.job import RolloutJob
from conductor.seeds import rollout_seed
from conductor.store.schema import RolloutRow
from conductor.tasks.verify import verify_many
from conductor.train.reward import compute_reward
from conductor.workflow.executor import ExecutionRequest, execute_many
from conductor.workflow.result import Execution
from conductor.workflow.rounds import accepted
from conductor.workflow.schema import Workflow


async def execute_jobs(jobs: list[RolloutJob], client: PoolClient, seed: int) -> list[Execution | None]:
    """The executor's batch runner for the jobs that have a workflow to run; None for those that did not parse.

    A later round that accepts (three empty lists) calls no worker: its answer is the earlier one. `client`
    is the caller's, so several batches (an evaluation's methods) can share its limits, budget and cache."""
    out: list[Execution | None] = [None] * len(jobs)
    to_run: list[tuple[int, Workflow]] = []
    for i, job in enumerate(jobs):
        if job.workflow is None:
            continue
        if job.workflow.is_accept and job.earlier is not None:
            out[i] = accepted(job.earlier)
        else:
            to_run.append((i, job.workflow))
    executions = await execute_many(
        [
            ExecutionRequest(
                workflow=workflow,
                question=jobs[i].task.question,
                seed=rollout_seed(seed, jobs[i].task.id, jobs[i].group_id, jobs[i].sample, jobs[i].round),
                previous_round=list(earlier.steps) if (earlier := jobs[i].earlier) is not None else None,
            )
            for i, workflow in to_run
        ],
        client,
    )
    for (i, _), ex in zip(to_run, executions, strict=True):
        out[i] = ex
    return out


async def _execute_jobs(
    jobs: list[RolloutJob], pool: PoolSpec, seed: int, client_kwargs: dict
) -> list[Execution | None]:
    client = PoolClient(pool, **client_kwargs)
    try:
        return await execute_jobs(jobs, client, seed)
    finally:
        await client.aclose()


def _workflow_json(wf: Workflow | None) -> str | None:
    return json.dumps(wf.to_lists()) if wf is not None else None


def score_jobs(
    jobs: list[RolloutJob],
    pool: PoolSpec,
    cfg: RunConfig,
    *,
    run_id: str,
    iteration: int,
    phase: str,
    seed: int,
    client_kwargs: dict | None = None,
) -> list[RolloutRow]:
    """Execute every parsed workflow concurrently, verify the answers, reward, and return store-ready rows."""
    executions = asyncio.run(_execute_jobs(jobs, pool, seed, client_kwargs or {}))
    return score_executions(jobs, executions, pool, cfg, run_id=run_id, iteration=iteration, phase=phase)


def score_executions(
    jobs: list[RolloutJob],
    executions: list[Execution | None],
    pool: PoolSpec,
    cfg: RunConfig,
    *,
    run_id: str,
    iteration: int,
    phase: str,
) -> list[RolloutRow]:
    """Jobs and what running them gave (None: did not parse) -> verified, rewarded store rows. Evaluation
    methods that run their own way (rounds of reflection, a vote over steps) are scored here too."""
    to_verify = [(j.task, e.answer) for j, e in zip(jobs, executions, strict=True) if e is not None and e.ok]
    verdicts = iter(verify_many(to_verify))
    rows: list[RolloutRow] = []
    for job, ex in zip(jobs, executions, strict=True):
        verdict = next(verdicts) if ex is not None and ex.ok else None
        parsed = job.workflow is not None
        correct = bool(verdict and verdict.correct)
        cost = ex.cost_usd if ex is not None else 0.0
        faulted = ex is not None and not ex.ok
        # A worker fault is not the plan's fault: recorded, scored 0, and (by default) left out of the update.
        parts = compute_reward(parsed=parsed, ran=not faulted, correct=correct, cost_usd=cost, cfg=cfg.train)
        total = parts.total
        err = job.parse_error
        rows.append(
            RolloutRow(
                run_id=run_id,
                iteration=iteration,
                phase=phase,
                rollout_id=uuid.uuid4().hex,
                task_id=job.task.id,
                source=job.task.source,
                domain=job.task.domain,
                group_id=job.group_id,
                sample=job.sample,
                round=job.round,
                policy=job.policy,
                pool=list(job.pool_ids),
                pool_simulated=pool.simulated,
                prompt=job.prompt,
                completion=job.completion,
                workflow=_workflow_json(job.workflow),
                parse_error=f"{err.code}: {err}" if err is not None else None,
                n_steps=len(job.workflow.steps) if job.workflow is not None else 0,
                steps=list(ex.steps) if ex is not None else [],
                answer=ex.answer if ex is not None else "",
                correct=correct,
                verdict=verdict.reason if verdict is not None else (ex.failure or "") if ex is not None else "",
                reward=total,
                infra_fault=ex.failure if ex is not None and not ex.ok else None,
                prompt_tokens=ex.prompt_tokens if ex is not None else 0,
                completion_tokens=ex.completion_tokens if ex is not None else 0,
                cost_usd=cost,
                latency_s=ex.latency_s if ex is not None else 0.0,
                completion_ids=job.completion_ids,
                logprobs=job.logprobs,
            )
        )
    return rows
