"""Supervised warm start: teach a fresh (tiny) Conductor the workflow format before GRPO.

Loss on completion tokens only (the prompt is context, not a target), with the end-of-turn token appended so
the model learns to stop. Prompt and completion are tokenised separately and concatenated, which is how they
meet at generation time: the prompt string is encoded as is, and the completion is written token by token.

Defaults (TinyConfig: 1,500 steps, lr 1e-3, batch 16, 10% warm-up then cosine decay to 10%, worker-id tokens
weighted 10x) take about 3.7 min on 2 CPU cores for a fresh `tiny` model on the compact prompt. 600 steps
(80 s) already give about 75% valid workflows at temperature 1.0 on random sub-pools, but 63-74% of its 4-5
step plans have lists of different lengths (1,500 steps: 22-30%), and GRPO then drops long plans
(docs/design.md; `conductor sql --query parse_failures_by_length` after a run).

Why the id weight: the ids are the only tokens of a random workflow that depend on the prompt, and each is worth
at most log(5/k) nats, so an unweighted loss is minimised by ignoring the prompt. Measured on the compact
prompt with pools of 2-4 of 5 workers (150 samples at temperature 1.0): unweighted, 57-62% of the plans name
a worker the prompt does not offer (lr 1e-3 or 3e-3, 600 or 1500 steps, with or without single-worker pools
mixed in); weighted 10x at lr 1e-3, 7%. At lr 3e-3 the weighted loss still fails (62%). Those figures came
from a one-off script (bootstrap's sampling, then 150 generations parsed against each prompt's pool);
tests/policy/test_sft.py measures the same thing on its short prompt (22% unlisted after 600 steps, 7% after
the default 1,500; run it with `-s` to see the figures).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

import torch

from conductor.config import TinyConfig
from conductor.policy.logprobs import completion_logprobs, pack
from conductor.policy.model import Policy


def _lr_factor(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


def warm_start(
    policy: Policy,
    examples: list[tuple[str, str]],
    settings: TinyConfig | None = None,
    steps: int | None = None,
    lr: float | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    on_step: Callable[[dict], None] | None = None,
    id_weight: float | None = None,
) -> list[dict]:
    """Fine-tune `policy` in place on (prompt_text, completion_text) pairs; returns per-step metrics.

    `prompt_text` is a rendered prompt (`Policy.render_prompt`, prefill included); `completion_text` is what
    the model should write after it. None takes the value from the tiny recipe's `settings` (sft_steps,
    sft_learning_rate, sft_batch_size, sft_id_weight; their defaults when `settings` is None).
    """
    if not examples:
        raise ValueError("warm_start needs at least one example")
    settings = settings or TinyConfig()
    steps = settings.sft_steps if steps is None else steps
    lr = settings.sft_learning_rate if lr is None else lr
    batch_size = settings.sft_batch_size if batch_size is None else batch_size
    id_weight = settings.sft_id_weight if id_weight is None else id_weight
    eos = policy.tokenizer.eos_token_id
    prompt_cache: dict[str, list[int]] = {}
    encoded = []
    for prompt, completion in examples:
        if prompt not in prompt_cache:
            prompt_cache[prompt] = policy.encode(prompt)
        ids = policy.encode(completion) + [eos]
        encoded.append((prompt_cache[prompt], ids, _loss_weights(policy, completion, ids, id_weight)))

    params = policy.trainable_parameters()
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), weight_decay=0.0)
    warmup = max(1, steps // 10)
    rng = random.Random(seed)
    policy.model.train()
    metrics: list[dict] = []
    for step in range(steps):
        t0 = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = lr * _lr_factor(step, steps, warmup)
        batch_rows = [encoded[rng.randrange(len(encoded))] for _ in range(batch_size)]
        batch = pack([p for p, _, _ in batch_rows], [c for _, c, _ in batch_rows], policy.pad_token_id, policy.device)
        weights = torch.zeros_like(batch.completion_mask)
        for i, (_, _, w) in enumerate(batch_rows):
            weights[i, : len(w)] = torch.tensor(w, dtype=weights.dtype)
        with torch.autocast(policy.device.type, dtype=torch.bfloat16, enabled=policy.device.type == "cuda"):
            logps, _ = completion_logprobs(policy.model, batch, temperature=1.0)
        n_tokens = batch.completion_mask.sum().clamp(min=1.0)
        loss = -(logps.float() * weights).sum() / weights.sum().clamp(min=1.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        m = {
            "step": step,
            "loss": float(loss.item()),
            "grad_norm": float(grad_norm),
            "lr": opt.param_groups[0]["lr"],
            "tokens": int(n_tokens.item()),
            "seconds": time.perf_counter() - t0,
        }
        metrics.append(m)
        if on_step is not None:
            on_step(m)
    policy.model.eval()
    return metrics


def _loss_weights(policy: Policy, completion: str, ids: list[int], id_weight: float) -> list[float]:
    """Per-token loss weights: `id_weight` on the worker ids (the digits of the `model_id` list) and on a
    thought line before the lists (conductor.tiny.thought), 1 elsewhere. Both depend on the prompt; nothing
    else in a random workflow does (see the module docstring). Tokens are located by decoding them in turn,
    so the weights follow the tokens the loss actually sees."""
    weights = [1.0] * len(ids)
    start = completion.find("model_id")
    if id_weight == 1.0 or start < 0:
        return weights
    head_end = completion.find("\n", start)
    head_end = len(completion) if head_end < 0 else head_end
    offset = 0
    for i, tok in enumerate(ids):
        if offset >= head_end:
            break
        piece = policy.tokenizer.decode([tok])
        if offset < start or piece.strip().isdigit():
            weights[i] = id_weight
        offset += len(piece)
    return weights
