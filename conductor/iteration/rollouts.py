"""The Conductor writes workflows: G samples per task, each with the pool drawn for its prompt.

Generation is batched over all prompts; parsing is lenient (conductor.workflow.parse) and a text that does not
parse is kept as a rollout with its error and reward 0, exactly as the paper scores it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from conductor.config import RunConfig
from conductor.iteration.pools import draw_pool
from conductor.iteration.scoring import Job, job_seed
from conductor.pool.spec import PoolSpec
from conductor.tasks.schema import Task
from conductor.workflow.schema import WorkflowError


def conductor_prompt(policy: Any, task: Task, pool: PoolSpec, pool_ids: tuple[int, ...], cfg: RunConfig) -> str:
    """The exact text fed to the model (chat template applied, assistant turn opened with the prefill)."""
    from conductor.workflow.conductor_prompt import build_messages

    messages, prefill = build_messages(
        task.question,
        pool.subset(pool_ids),
        mode=cfg.policy.prompt_mode,
        template=cfg.policy.prompt_template,
        max_steps=cfg.rollout.max_steps,
        question_chars=cfg.policy.question_chars,
    )
    return policy.render_prompt(messages, prefill)


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
) -> list[Job]:
    """Prompts -> G generations each -> parsed workflows (or parse errors), as jobs ready to execute."""
    from conductor.workflow.parse import parse_workflow

    rng = random.Random(job_seed(seed, iteration, "pools"))
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
        seed=job_seed(seed, iteration, "generate"),
    )
    if on_generated is not None:
        on_generated(len(prompts) * samples)
    jobs: list[Job] = []
    for task, ids, prompt, gens in zip(tasks, pool_ids, prompts, generations, strict=True):
        group_id = f"{iteration}:{task.id}"
        for k, gen in enumerate(gens):
            try:
                wf, err = parse_workflow(gen.text, pool_ids=set(ids), max_steps=cfg.rollout.max_steps), None
            except WorkflowError as e:
                wf, err = None, e
            jobs.append(
                Job(
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
