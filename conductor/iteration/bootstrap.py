"""The first checkpoint of a run.

For `base_model: tiny` we build a small Conductor locally (no download): a tokenizer trained on the project's
own text (Conductor prompts, workflows, task questions), a randomly initialised causal LM, then a short
supervised warm start on random *valid* workflows so it emits the format before RL starts. Random, because
the warm start should teach the format and nothing about which worker is good: that is what RL must learn.
Any other base_model (an HF id or a path) is used as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import uuid
from pathlib import Path

from conductor.config import Paths, RunConfig
from conductor.pool.spec import PoolSpec
from conductor.tasks.schema import Task
from conductor.workflow.schema import Step, Workflow

SOLVE_PHRASES = (
    "Solve the problem and give the final answer.",
    "Solve the problem step by step.",
    "Answer the question directly.",
    "Work out the answer independently.",
    "Write a complete solution.",
)
REVIEW_PHRASES = (
    "Review the answers above, fix any mistakes, and give the final answer.",
    "Check the previous answer and correct it if needed.",
    "Compare the answers above and choose the best one.",
    "Verify the solution above and give the final answer.",
)
VAGUE_PHRASES = ("Help.", "Continue.")


def random_plan(rng: random.Random, ids: tuple[int, ...], max_steps: int) -> Workflow:
    n = rng.randint(1, max_steps)
    steps = []
    for i in range(n):
        access = "all" if i > 0 and rng.random() < 0.5 else "none"
        r = rng.random()
        phrases = VAGUE_PHRASES if r < 0.1 else REVIEW_PHRASES if access == "all" and r < 0.7 else SOLVE_PHRASES
        steps.append(Step(worker=rng.choice(ids), subtask=rng.choice(phrases), access=access))
    return Workflow(steps=tuple(steps))


def _prompt_text(messages: list[dict[str, str]], prefill: str) -> str:
    return "\n".join(m["content"] for m in messages) + "\n" + prefill


def _key(cfg: RunConfig, pool: PoolSpec) -> str:
    blob = json.dumps(
        {
            "pool": list(pool.ids),
            "policy": cfg.policy.model_dump(mode="json"),
            "sources": cfg.sources,
            "seed": cfg.seed,
            "max_steps": cfg.rollout.max_steps,
            "v": 1,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def initial_checkpoint(cfg: RunConfig, paths: Paths, tasks: list[Task], pool: PoolSpec, n_examples: int = 768) -> Path | str:
    if cfg.policy.base_model != "tiny":
        return cfg.policy.base_model
    out = paths.checkpoints / f"tiny-sft-{_key(cfg, pool)}"
    if out.exists():
        return out
    from conductor.policy.model import Policy
    from conductor.policy.sft import warm_start
    from conductor.policy.tiny import build_tiny_conductor
    from conductor.workflow.conductor_prompt import build_messages

    from conductor.iteration.pools import draw_pool

    rng = random.Random(cfg.seed)
    train = [t for t in tasks if t.split == "train"] or tasks
    if cfg.rollout.train_workers is not None:
        pool = pool.subset(cfg.rollout.train_workers)
    samples = []
    for _ in range(n_examples):
        task = rng.choice(train)
        ids = draw_pool(pool, rng, cfg.rollout.pool_min, cfg.rollout.pool_max)
        messages, prefill = build_messages(
            task.question, pool.subset(ids), mode=cfg.policy.prompt_mode, template=cfg.policy.prompt_template,
            max_steps=cfg.rollout.max_steps,
        )
        samples.append((messages, prefill, random_plan(rng, ids, cfg.rollout.max_steps).render()))
    corpus = [_prompt_text(m, p) for m, p, _ in samples[:256]] + [c for _, _, c in samples]
    corpus += [t.question for t in rng.sample(tasks, min(len(tasks), 400))]
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    build_tiny_conductor(tmp / "base", corpus, seed=cfg.seed)
    policy = Policy.load(str(tmp / "base"), cfg.policy)
    examples = [(policy.render_prompt(m, p), c) for m, p, c in samples]
    print(f"  warm start: {cfg.policy.sft_steps} supervised steps on {len(examples)} random valid workflows", flush=True)
    warm_start(policy, examples, steps=cfg.policy.sft_steps, seed=cfg.seed)
    policy.save(tmp / "model")
    final_tmp = tmp / "model"
    os.replace(final_tmp, out)
    shutil.rmtree(tmp, ignore_errors=True)
    return out
