"""The tiny Conductor's first checkpoint: built here, then warm-started, cached under its settings' key.

A tokenizer trained on the project's own text (Conductor prompts, warm-start targets, task questions), a
randomly initialised Qwen2-architecture model (model.py), then a supervised warm start (warm_start.py) on
random valid workflows (examples.py), so it writes the format before RL starts. The general path calls this
through one seam, `conductor.iteration.campaign.initial_checkpoint`, when `policy.base_model` is 'tiny'; any
other base model is used as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import uuid
from pathlib import Path

from tqdm import tqdm

from conductor.config import Paths, RunConfig, TinyConfig
from conductor.policy.model import Policy
from conductor.pool.spec import PoolSpec
from conductor.tasks.schema import Task
from conductor.tiny.examples import example_count, warm_start_samples
from conductor.tiny.model import build_tiny_conductor
from conductor.tiny.thought import lead_word
from conductor.tiny.warm_start import warm_start


def _prompt_text(messages: list[dict[str, str]], prefill: str) -> str:
    return "\n".join(m["content"] for m in messages) + "\n" + prefill


def settings_of(cfg: RunConfig) -> TinyConfig:
    if cfg.tiny is None:
        raise ValueError("the tiny recipe needs its settings (the run config's `tiny` section)")
    return cfg.tiny


def checkpoint_key(cfg: RunConfig, pool: PoolSpec) -> str:
    """What the warm start depends on: a checkpoint is reused only for the same pool, model, prompts and data."""
    blob = json.dumps(
        {
            "pool": list(pool.ids),
            "policy": cfg.policy.model_dump(mode="json"),
            "tiny": settings_of(cfg).model_dump(mode="json"),
            "sources": cfg.sources,
            "seed": cfg.seed,
            "max_steps": cfg.rollout.max_steps,
            # the warm-start prompts show pools drawn as training draws them
            "pools": [cfg.rollout.pool_min, cfg.rollout.pool_max, cfg.rollout.train_workers],
            "v": 8,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def tiny_checkpoint(
    cfg: RunConfig, paths: Paths, tasks: list[Task], pool: PoolSpec, n_examples: int | None = None
) -> Path:
    """The warm-started tiny Conductor for this run's settings: reused when it exists, else built (atomically)."""
    settings = settings_of(cfg)
    out = paths.checkpoints / f"tiny-sft-{checkpoint_key(cfg, pool)}"
    if out.exists():
        return out
    if n_examples is None:
        n_examples = example_count(settings)
    rng = random.Random(cfg.seed)
    samples = warm_start_samples(cfg, settings, tasks, pool, n_examples, rng)
    train = [t for t in tasks if t.split == "train"] or tasks
    corpus = [_prompt_text(m, p) for m, p, _ in samples[:256]] + [c for _, _, c in samples]
    corpus += [t.question for t in rng.sample(tasks, min(len(tasks), 400))]
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    build_tiny_conductor(tmp / "base", corpus, seed=cfg.seed, size=settings.size)
    # Full weights in the warm start, whatever `lora` says: the campaign adds adapters on top of this checkpoint.
    policy = Policy.load(str(tmp / "base"), cfg.policy.model_copy(update={"lora": False}))
    if settings.writes_lead:
        lead_pool = pool.subset(cfg.rollout.train_workers) if cfg.rollout.train_workers is not None else pool
        check_lead_words(policy, sorted({t.domain for t in train}), lead_pool.ids)
    examples = [(policy.render_prompt(m, p), c) for m, p, c in samples]
    print(f"  warm start: {settings.sft_steps} supervised steps on {len(examples)} random valid workflows", flush=True)
    bar = tqdm(total=settings.sft_steps, desc="  warm start", unit="step", leave=False)
    warm_start(policy, examples, settings, seed=cfg.seed, on_step=lambda m: bar.update(1))
    bar.close()
    # RL starts from the warm start, so it is the KL reference and the LoRA base: record its final folder, not
    # the temporary random-init one (deleted below).
    policy.base_model = str(out)
    policy.save(tmp / "model")
    os.replace(tmp / "model", out)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def check_lead_words(policy: Policy, domains: list[str], workers: tuple[int, ...] | list[int]) -> None:
    """Say so when a lead word is not one token of the fresh tokenizer: its kind's choice then shares tokens
    with the other kinds', which is what the lead words are there to avoid (thought.lead_word)."""
    split = [
        lead_word(d, w)
        for d in domains
        for w in workers
        if len(policy.tokenizer.encode(f" {lead_word(d, w)}", add_special_tokens=False)) != 1
    ]
    if split:
        print(
            f"  warm start: note: {len(split)} lead words are not one token each ({', '.join(split[:4])}"
            f"{', ...' if len(split) > 4 else ''}); their kinds will learn their lead more slowly",
            flush=True,
        )
