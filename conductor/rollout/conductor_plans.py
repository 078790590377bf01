"""The Conductor writes workflows: G samples per task, each with the pool drawn for its prompt.

Generation is batched over all prompts; parsing is lenient (conductor.workflow.parse) and a text that does not
parse is kept as a rollout with its error and reward 0, exactly as the paper scores it.

A later round (recursion) is built here too, once, for both its callers: the training continuation
(conductor.iteration.recursion) and the evaluated `conductor+r<k>` method (conductor.evaluate.conductor_method).
`earlier_plan` is the plan text the round after a job is shown, `later_round_text` the exact prompt, and
`later_round_job` the job the Conductor's answer to it becomes (same task, pool and group; round + 1).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from conductor.config import RunConfig
from conductor.pool.draw import draw_pool
from conductor.pool.spec import PoolSpec
from conductor.rollout.job import RolloutJob
from conductor.seeds import generation_seed, pools_seed
from conductor.tasks.schema import Task
from conductor.workflow.conductor_prompt import PromptSettings
from conductor.workflow.rounds import EarlierRound, later_round_prompt, parse_round
from conductor.workflow.schema import Workflow, WorkflowError


def conductor_prompt(policy: Any, task: Task, pool: PoolSpec, pool_ids: tuple[int, ...], cfg: RunConfig) -> str:
    """The exact text fed to the model (chat template applied, assistant turn opened with the prefill)."""
    messages, prefill = PromptSettings.from_config(cfg).first_round(task.question, pool.subset(pool_ids))
    return policy.render_prompt(messages, prefill)


def parse_plan(
    text: str, round_index: int, pool_ids: tuple[int, ...], cfg: RunConfig
) -> tuple[Workflow | None, WorkflowError | None]:
    """A sampled text as a job holds it: the workflow, or the parse error (a recorded outcome, reward 0)."""
    try:
        return parse_round(text, round_index, pool_ids, cfg.rollout.max_steps), None
    except WorkflowError as e:
        return None, e


def conductor_jobs(
    policy: Any,
    tasks: list[Task],
    pool: PoolSpec,
    cfg: RunConfig,
    *,
    iteration: int,
    samples: int,
    temperature: float,
    seed: int,
    randomize_pool: bool,
    policy_name: str = "conductor",
    on_generated: Callable[[int], None] | None = None,
) -> list[RolloutJob]:
    """Prompts -> G generations each -> parsed workflows (or parse errors), as jobs ready to execute."""
    rng = random.Random(pools_seed(seed, iteration))
    train_pool = pool
    if randomize_pool and cfg.rollout.train_workers is not None:
        train_pool = pool.subset(cfg.rollout.train_workers)
    pool_ids = [
        draw_pool(train_pool, rng, cfg.rollout.pool_min, cfg.rollout.pool_max) if randomize_pool else pool.ids
        for _ in tasks
    ]
    prompts = [conductor_prompt(policy, t, pool, ids, cfg) for t, ids in zip(tasks, pool_ids, strict=True)]
    generations = policy.generate(
        prompts,
        n=samples,
        temperature=temperature,
        max_new_tokens=cfg.policy.max_new_tokens,
        seed=generation_seed(seed, iteration),
    )
    if on_generated is not None:
        on_generated(len(prompts) * samples)
    jobs: list[RolloutJob] = []
    for task, ids, prompt, gens in zip(tasks, pool_ids, prompts, generations, strict=True):
        group_id = f"{iteration}:{task.id}"
        for k, gen in enumerate(gens):
            wf, err = parse_plan(gen.text, 0, ids, cfg)
            jobs.append(
                RolloutJob(
                    task=task,
                    pool_ids=ids,
                    policy=policy_name,
                    group_id=group_id,
                    sample=k,
                    workflow=wf,
                    parse_error=err,
                    prompt=prompt,
                    completion=gen.text,
                    completion_ids=list(gen.token_ids),
                    logprobs=[float(x) for x in gen.logprobs],
                )
            )
    return jobs


def earlier_plan(job: RolloutJob, cfg: RunConfig) -> str:
    """The plan of `job` as the Conductor wrote it, for the next round to show: round 0 was written after the
    first prefill, so that prefill is part of it; a later round's completion is the plan as it stands."""
    return (PromptSettings.from_config(cfg).first_prefill if job.round == 0 else "") + job.completion


def later_round_text(policy: Any, job: RolloutJob, earlier: EarlierRound, pool: PoolSpec, cfg: RunConfig) -> str:
    """The exact text the Conductor continues in the round after `job` (chat template applied, the later
    round's prefill opened), offered the same workers as `job`."""
    messages, prefill = later_round_prompt(
        PromptSettings.from_config(cfg), job.task.question, pool.subset(job.pool_ids), earlier
    )
    return policy.render_prompt(messages, prefill)


def later_round_job(
    job: RolloutJob,
    earlier: EarlierRound,
    cfg: RunConfig,
    *,
    prompt: str,
    completion: str,
    completion_ids: list[int] | None = None,
    logprobs: list[float] | None = None,
) -> RolloutJob:
    """The round after `job` from the text the Conductor wrote: parsed as a later round (three empty lists
    = accept `earlier`'s answer), the same task, pool, policy, group and sample, `earlier` attached so its
    "all" steps also see the earlier steps."""
    wf, err = parse_plan(completion, job.round + 1, job.pool_ids, cfg)
    return RolloutJob(
        task=job.task,
        pool_ids=job.pool_ids,
        policy=job.policy,
        group_id=job.group_id,
        sample=job.sample,
        workflow=wf,
        parse_error=err,
        prompt=prompt,
        completion=completion,
        completion_ids=list(completion_ids or []),
        logprobs=[float(x) for x in logprobs or []],
        round=job.round + 1,
        earlier=earlier,
    )
