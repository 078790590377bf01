"""The Conductor as an evaluated method: its plan for each task at the evaluation temperature, on the whole
pool, then (for `conductor+r<k>`) k recursion rounds that follow workflow.rounds' later-round rules.

Generation is batched per round over all tasks (the model is the slow part on a CPU); execution goes through
the shared executor and client. Round r+1 is asked only where round r parsed and ran; a later round that does
not parse or fails leaves the earlier answer standing (as `run_rounds` does at inference). The rounds of one
task become one Execution (steps appended, the last standing answer), and the Conductor's own tokens (every
round's prompt and completion) are counted for its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conductor.config import RunConfig
from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.rollout.conductor_plans import conductor_jobs, earlier_plan, later_round_job, later_round_text
from conductor.rollout.job import RolloutJob
from conductor.rollout.scoring import execute_jobs
from conductor.seeds import derive, repeat_seed
from conductor.tasks.schema import Task
from conductor.workflow.result import Execution
from conductor.workflow.rounds import EarlierRound


@dataclass
class ConductorAnswer:
    """One task's rounds: the round-0 job (what the store row describes), the merged execution, tokens."""

    job: RolloutJob
    execution: Execution | None
    prompt_tokens: int
    completion_tokens: int
    rounds_run: int


def first_round_jobs(
    policy: Any, tasks: list[Task], pool: PoolSpec, cfg: RunConfig, *, iteration: int, seed: int, repeat: int
) -> list[RolloutJob]:
    jobs = conductor_jobs(
        policy,
        tasks,
        pool,
        cfg,
        iteration=iteration,
        samples=1,
        temperature=cfg.policy.eval_temperature,
        seed=repeat_seed(seed, repeat),
        randomize_pool=False,
    )
    for j in jobs:
        j.sample = repeat
    return jobs


def _tokens(policy: Any, job: RolloutJob) -> tuple[int, int]:
    return len(policy.encode(job.prompt)) if job.prompt else 0, len(job.completion_ids)


async def conductor_answers(
    policy: Any,
    jobs: list[RolloutJob],
    pool: PoolSpec,
    cfg: RunConfig,
    client: PoolClient,
    *,
    rounds: int,
    seed: int,
    repeat: int,
) -> list[ConductorAnswer]:
    """Execute the round-0 `jobs`, then up to `rounds` later rounds, each generated in one batch."""
    base = repeat_seed(seed, repeat)
    executions = await execute_jobs(jobs, client, base)
    out = []
    for job, ex in zip(jobs, executions, strict=True):
        p, c = _tokens(policy, job)
        out.append(ConductorAnswer(job, ex, p, c, 0))
    current = [(a, a.job, a.execution) for a in out]  # (answer, last job, its own execution)
    for r in range(1, rounds + 1):
        live = [(a, j, e) for a, j, e in current if j.workflow is not None and e is not None and e.ok]
        if not live:
            break
        prompts, earliers = [], []
        for _, j, e in live:
            earlier = EarlierRound.of(earlier_plan(j, cfg), e)
            prompts.append(later_round_text(policy, j, earlier, pool, cfg))
            earliers.append(earlier)
        gens = policy.generate(
            prompts,
            n=1,
            temperature=cfg.policy.eval_temperature,
            max_new_tokens=cfg.policy.max_new_tokens,
            seed=derive(base, "eval-round", r),
        )
        next_jobs = [
            later_round_job(j, earlier, cfg, prompt=prompt, completion=g[0].text, completion_ids=list(g[0].token_ids))
            for (_, j, _), prompt, g, earlier in zip(live, prompts, gens, earliers, strict=True)
        ]
        results = await execute_jobs(next_jobs, client, base)
        current = []
        for (a, _, _), nj, ex in zip(live, next_jobs, results, strict=True):
            p, c = _tokens(policy, nj)
            a.prompt_tokens += p
            a.completion_tokens += c
            a.rounds_run = r
            if ex is None or a.execution is None:
                continue  # did not parse: the earlier answer stands, the loop ends for this task
            merged = a.execution.model_copy(
                update={
                    "steps": [
                        *a.execution.steps,
                        *[s.model_copy(update={"index": len(a.execution.steps) + s.index}) for s in ex.steps],
                    ],
                    "answer": ex.answer if ex.ok else a.execution.answer,
                    "ok": a.execution.ok and ex.ok,
                    "failure": ex.failure,
                }
            )
            a.execution = merged
            if ex.ok and not (nj.workflow is not None and nj.workflow.is_accept):
                current.append((a, nj, ex))
    return out
