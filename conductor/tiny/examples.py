"""The warm start's examples: prompts as training shows them, targets a random valid plan (with the thought
line and the lead word), one fresh example per warm-start row.

A randomly initialised Conductor cannot write three parseable lists, so GRPO would see reward 0 everywhere.
The warm start teaches it the format on random plans (conductor.workflow.random_plans): uniform over the
offered workers, so it teaches no preference; RL must learn which worker suits which question.
"""

from __future__ import annotations

import random

from conductor.config import RunConfig, TinyConfig
from conductor.pool.draw import draw_pool
from conductor.pool.spec import PoolSpec
from conductor.tasks.schema import Task
from conductor.tiny.thought import thought_line
from conductor.workflow.conductor_prompt import Messages, PromptSettings
from conductor.workflow.random_plans import random_workflow

Sample = tuple[Messages, str, str]  # (messages, prefill, target)


def example_count(settings: TinyConfig) -> int:
    """One fresh example per warm-start row (at least 2,000, for the tokenizer's corpus).

    Why: with a fixed 2,000 examples, 1,500 steps of 16 rows went over each about 12 times, and the tiny
    model learned each training question's random ids. Those arbitrary preferences carried over to every
    prompt (on the pool [0, 1], P(worker 0 first) averaged 0.98 over held-out code questions), and the KL term
    then held GRPO near them. Seen once, random ids leave it near-uniform over the offered workers
    (0.30-0.70 on [0, 1], the same for every domain): `python -m benchmarks.routing CHECKPOINT --pool 0,1`.
    """
    return max(2000, settings.sft_steps * settings.sft_batch_size)


def warm_start_samples(
    cfg: RunConfig, settings: TinyConfig, tasks: list[Task], pool: PoolSpec, n: int, rng: random.Random
) -> list[Sample]:
    """`n` examples over the training tasks, each prompt showing a pool drawn as training draws them.

    The lead is drawn from every worker training may offer, not only this prompt's: the line names the worker
    the Conductor would want for this kind of question, and the plan opens with it when it is offered."""
    prompt = PromptSettings.from_config(cfg)
    train = [t for t in tasks if t.split == "train"] or tasks
    if cfg.rollout.train_workers is not None:
        pool = pool.subset(cfg.rollout.train_workers)
    samples: list[Sample] = []
    for _ in range(n):
        task = rng.choice(train)
        ids = draw_pool(pool, rng, cfg.rollout.pool_min, cfg.rollout.pool_max)
        messages, prefill = prompt.first_round(task.question, pool.subset(ids))
        lead = rng.choice(list(pool.ids)) if settings.writes_lead else None
        plan = random_workflow(
            rng, ids, cfg.rollout.max_steps, settings.sft_same_worker, first=lead if lead in ids else None
        )
        target = plan.render()
        if settings.thought:
            target = f"{thought_line(task.domain, lead)}\n{target}"
        samples.append((messages, prefill, target))
    return samples
