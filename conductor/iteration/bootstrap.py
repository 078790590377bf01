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
            # the warm-start prompts show pools drawn as training draws them
            "pools": [cfg.rollout.pool_min, cfg.rollout.pool_max, cfg.rollout.train_workers],
            "v": 7,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def warm_start_examples(cfg: RunConfig) -> int:
    """One fresh example per warm-start row (at least 2,000, for the tokenizer's corpus).

    Why: with a fixed 2,000 examples, 1,500 steps of 16 rows went over each about 12 times, and the tiny
    model learned each training question's random ids. Those arbitrary preferences carried over to every
    prompt (on the pool [0, 1], P(worker 0 first) averaged 0.98 over held-out code questions), and the KL term
    then held GRPO near them. Seen once, random ids leave it near-uniform over the offered workers
    (0.30-0.70 on [0, 1], the same for every domain): `python -m benchmarks.routing CHECKPOINT --pool 0,1`.
    """
    return max(2000, cfg.policy.sft_steps * cfg.policy.sft_batch_size)


def initial_checkpoint(
    cfg: RunConfig, paths: Paths, tasks: list[Task], pool: PoolSpec, n_examples: int | None = None
) -> Path | str:
    if cfg.policy.base_model != "tiny":
        return cfg.policy.base_model
    out = paths.checkpoints / f"tiny-sft-{_key(cfg, pool)}"
    if out.exists():
        return out
    from conductor.iteration.pools import draw_pool
    from conductor.policy.model import Policy
    from conductor.policy.sft import warm_start
    from conductor.policy.sft_data import random_workflow, thought_line
    from conductor.policy.tiny import build_tiny_conductor
    from conductor.workflow.conductor_prompt import build_messages

    if n_examples is None:
        n_examples = warm_start_examples(cfg)
    rng = random.Random(cfg.seed)
    train = [t for t in tasks if t.split == "train"] or tasks
    if cfg.rollout.train_workers is not None:
        pool = pool.subset(cfg.rollout.train_workers)
    samples = []
    for _ in range(n_examples):
        task = rng.choice(train)
        ids = draw_pool(pool, rng, cfg.rollout.pool_min, cfg.rollout.pool_max)
        messages, prefill = build_messages(
            task.question,
            pool.subset(ids),
            mode=cfg.policy.prompt_mode,
            template=cfg.policy.prompt_template,
            max_steps=cfg.rollout.max_steps,
            question_chars=cfg.policy.question_chars,
        )
        # The lead is drawn from every worker training may offer, not only this prompt's: the line names the
        # worker the Conductor would want for this kind of question, and the plan opens with it when offered.
        lead = rng.choice(list(pool.ids)) if cfg.policy.writes_lead else None
        plan = random_workflow(
            rng, ids, cfg.rollout.max_steps, cfg.policy.sft_same_worker, first=lead if lead in ids else None
        )
        target = plan.render()
        if cfg.policy.sft_thought:
            target = f"{thought_line(task.domain, lead)}\n{target}"
        samples.append((messages, prefill, target))
    corpus = [_prompt_text(m, p) for m, p, _ in samples[:256]] + [c for _, _, c in samples]
    corpus += [t.question for t in rng.sample(tasks, min(len(tasks), 400))]
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    build_tiny_conductor(tmp / "base", corpus, seed=cfg.seed, size=cfg.policy.tiny_size)
    # Full weights in the warm start, whatever `lora` says: the campaign adds adapters on top of this checkpoint.
    policy = Policy.load(str(tmp / "base"), cfg.policy.model_copy(update={"lora": False}))
    if cfg.policy.writes_lead:
        _check_lead_words(policy, sorted({t.domain for t in train}), pool.ids)
    examples = [(policy.render_prompt(m, p), c) for m, p, c in samples]
    print(
        f"  warm start: {cfg.policy.sft_steps} supervised steps on {len(examples)} random valid workflows", flush=True
    )
    from tqdm import tqdm

    bar = tqdm(total=cfg.policy.sft_steps, desc="  warm start", unit="step", leave=False)
    warm_start(policy, examples, steps=cfg.policy.sft_steps, seed=cfg.seed, on_step=lambda m: bar.update(1))
    bar.close()
    # RL starts from the warm start, so it is the KL reference and the LoRA base: record its final folder, not
    # the temporary random-init one (deleted below).
    policy.base_model = str(out)
    policy.save(tmp / "model")
    final_tmp = tmp / "model"
    os.replace(final_tmp, out)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _check_lead_words(policy, domains: list[str], workers: tuple[int, ...] | list[int]) -> None:
    """Say so when a lead word is not one token of the fresh tokenizer: its kind's choice then shares tokens
    with the other kinds', which is what the lead words are there to avoid (sft_data.lead_word)."""
    from conductor.policy.sft_data import lead_word

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
