"""The GRPO update from stored rollouts: one call per iteration, TRL's loss on a small hand-written loop.

Each `UpdateRow` is one stored rollout: the exact prompt text, the completion's token ids, their log-probs
under the policy that sampled them ("old"), and the group-relative advantage. For every optimizer step:

  new  = log p_theta(token) at the sampling temperature (recomputed: `conductor.policy.logprobs`)
  r    = exp(new - old)                   per token; exactly 1 (to float rounding) before the first step
  loss = -min(r * A, clip(r, 1 - eps, 1 + eps) * A)  [+ beta * KL(theta || ref), k3 estimator, if beta > 0]
  normalised over tokens as TRL's `bnpo` (per micro-batch token mean, averaged over micro-batches: the
  paper's code) or `dapo` (sum over all tokens of the optimizer step / their count).

Why not `GRPOTrainer` itself (docs/design.md, "Training: GRPO from the store"): it owns sampling, grouping
by identical prompt and a fixed group size, and it takes the old log-probs from a fresh forward pass rather
than from the rollout (the stored ones only feed its vLLM correction). Our rollouts were generated and scored
earlier, groups may be ragged (dropped faults) and, in recursion, mix first-round and continuation prompts.
So we reuse TRL's pieces: `selective_log_softmax(_and_entropy)` for the log-probs and its loss and
clip-metric formulas line for line, and keep the loop (micro-batching, AdamW, clip, schedule) here.

Rows with advantage 0 (zero-variance groups) are skipped: they add no gradient, only compute. Unlike TRL,
their tokens therefore do not dilute the token normaliser; with AdamW the step size hardly depends on it.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import torch

from conductor.config import TrainConfig
from conductor.policy.logprobs import completion_logprobs, pack
from conductor.policy.model import Policy
from conductor.train.shard import Shard

STEP_KEY = "conductor_step"  # optimizer steps taken so far, kept in the param groups (saved with the state)


@dataclass(frozen=True)
class UpdateRow:
    prompt_text: str
    completion_ids: list[int]
    old_logprobs: list[float]
    advantage: float


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Learning rate of optimizer step `step` (0-based), as transformers' schedulers compute it.

    cosine: linear warm-up over ceil(warmup_ratio * schedule_steps) steps from 0, then a half cosine to 0
    at schedule_steps (the paper: 3% warm-up, cosine). constant: the same warm-up, then flat.
    """
    total = cfg.schedule_steps
    warmup = math.ceil(cfg.warmup_ratio * total) if total else 0
    if step < warmup:
        return cfg.learning_rate * step / max(1, warmup)
    if cfg.lr_schedule == "constant" or not total:
        return cfg.learning_rate
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return cfg.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))


def make_optimizer(policy: Policy, cfg: TrainConfig) -> torch.optim.Optimizer:
    """AdamW (0.9, 0.999) over the trainable parameters (LoRA: the adapters only), as the paper's recipe."""
    opt = torch.optim.AdamW(
        policy.trainable_parameters(), lr=cfg.learning_rate, betas=(0.9, 0.999), weight_decay=cfg.weight_decay
    )
    for group in opt.param_groups:
        group[STEP_KEY] = 0
    return opt


def _chunks(seq: Sequence, size: int) -> list:
    return [seq[i : i + size] for i in range(0, len(seq), size)] if size > 0 else [seq]


def grpo_update(
    policy: Policy,
    rows: list[UpdateRow],
    cfg: TrainConfig,
    optimizer: torch.optim.Optimizer | None = None,
    on_step: Callable[[dict], None] | None = None,
    shard: Shard | None = None,
) -> tuple[torch.optim.Optimizer, list[dict]]:
    """Update `policy` in place from `rows`; returns the optimizer (pass it back next iteration, or save it
    with the checkpoint) and one metrics dict per optimizer step.

    Steps: `epochs` passes; each pass splits the rows with a non-zero advantage into mini-batches of
    `mini_batch_size` (0: all in one step, the paper), each accumulated over micro-batches of
    `micro_batch_size` rows. Log-probs are recomputed at `policy.cfg.temperature`, the sampling temperature.
    With `shard` (one of several processes, conductor/train/shard.py) this process runs its share of each
    step's micro-batches and the gradients and metrics are summed over the processes before the step.
    """
    shard = shard or Shard()
    for r in rows:
        if len(r.completion_ids) != len(r.old_logprobs):
            raise ValueError("each row needs one old log-prob per completion token")
    optimizer = optimizer or make_optimizer(policy, cfg)
    policy.set_gradient_checkpointing(cfg.gradient_checkpointing)
    active = [r for r in rows if r.advantage != 0.0 and r.completion_ids]
    skipped = len(rows) - len(active)
    prompt_ids: dict[str, list[int]] = {}
    for r in active:
        if r.prompt_text not in prompt_ids:
            prompt_ids[r.prompt_text] = policy.encode(r.prompt_text)
    params = [p for g in optimizer.param_groups for p in g["params"]]
    metrics: list[dict] = []
    if not active:
        return optimizer, metrics
    rng = random.Random(optimizer.param_groups[0].get(STEP_KEY, 0))
    policy.model.train()
    try:
        for epoch in range(cfg.epochs):
            order = list(active)
            if cfg.epochs > 1 or cfg.mini_batch_size:
                rng.shuffle(order)
            for mini in _chunks(order, cfg.mini_batch_size):
                m = _optimizer_step(policy, mini, prompt_ids, cfg, optimizer, params, shard)
                m.update(epoch=epoch, skipped_zero_advantage=skipped)
                metrics.append(m)
                if on_step is not None:
                    on_step(m)
    finally:
        policy.model.eval()
    return optimizer, metrics


def _optimizer_step(
    policy: Policy,
    mini: Sequence[UpdateRow],
    prompt_ids: dict[str, list[int]],
    cfg: TrainConfig,
    optimizer: torch.optim.Optimizer,
    params: list,
    shard: Shard,
) -> dict:
    t0 = time.perf_counter()
    temperature = policy.cfg.temperature if policy.cfg.temperature > 0 else 1.0
    eps = cfg.clip_epsilon
    micro = _chunks(mini, cfg.micro_batch_size)
    total_tokens = sum(len(r.completion_ids) for r in mini)
    device = policy.device
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if cfg.bf16 else nullcontext()
    sums = {"loss": 0.0, "ratio": 0.0, "clipped": 0.0, "entropy": 0.0, "kl": 0.0, "tokens": 0.0}
    ratio_min, ratio_max = math.inf, -math.inf
    optimizer.zero_grad(set_to_none=True)
    for k, rows in enumerate(micro):
        if not shard.owns(k):
            continue
        batch = pack(
            [prompt_ids[r.prompt_text] for r in rows], [r.completion_ids for r in rows], policy.pad_token_id, device
        )
        mask = batch.completion_mask
        old = torch.zeros_like(mask)
        for i, r in enumerate(rows):
            old[i, : len(r.old_logprobs)] = torch.tensor(r.old_logprobs, dtype=old.dtype)
        adv = torch.tensor([r.advantage for r in rows], dtype=torch.float32, device=device).unsqueeze(1)
        with autocast:
            new, entropy = completion_logprobs(policy.model, batch, temperature, with_entropy=True)
            assert entropy is not None  # asked for above
        new = new.float()
        # TRL's clipped surrogate, token level (grpo_trainer._compute_loss)
        coef_1 = torch.exp(new - old)
        coef_2 = torch.clamp(coef_1, 1 - eps, 1 + eps)
        per_token_loss = -torch.min(coef_1 * adv, coef_2 * adv)
        if cfg.kl_beta > 0:
            ref = _reference_logprobs(policy, batch, temperature, autocast)
            per_token_kl = torch.exp(ref - new) - (ref - new) - 1
            per_token_loss = per_token_loss + cfg.kl_beta * per_token_kl
            sums["kl"] += float((per_token_kl.detach() * mask).sum())
        if cfg.loss_type == "bnpo":
            loss = (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0) / len(micro)
        else:  # dapo: normalised by every completion token of the optimizer step
            loss = (per_token_loss * mask).sum() / max(1, total_tokens)
        loss.backward()
        with torch.no_grad():
            is_clipped = ((coef_1 < 1 - eps) & (adv < 0)) | ((coef_1 > 1 + eps) & (adv > 0))
            sums["loss"] += float(loss)
            sums["ratio"] += float((coef_1 * mask).sum())
            sums["clipped"] += float((is_clipped.float() * mask).sum())
            sums["entropy"] += float((entropy.float() * mask).sum())
            sums["tokens"] += float(mask.sum())
            real = coef_1[mask.bool()]
            if real.numel():
                ratio_min, ratio_max = min(ratio_min, float(real.min())), max(ratio_max, float(real.max()))
    if shard.world > 1:
        shard.sum_gradients(params)
        sums = dict(zip(sums, shard.sum(list(sums.values())), strict=True))
        low, ratio_max = shard.max([-ratio_min, ratio_max])
        ratio_min = -low
    grad_norm = float(torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm))
    step = optimizer.param_groups[0].get(STEP_KEY, 0)
    lr = lr_at(step, cfg)
    for group in optimizer.param_groups:
        group["lr"] = lr
        group[STEP_KEY] = step + 1
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    n = max(1.0, sums["tokens"])
    out = {
        "step": step,
        "loss": sums["loss"],
        "clip_fraction": sums["clipped"] / n,
        "ratio_mean": sums["ratio"] / n,
        "ratio_min": ratio_min,
        "ratio_max": ratio_max,
        "grad_norm": grad_norm,
        "entropy": sums["entropy"] / n,
        "lr": lr,
        "rows": len(mini),
        "tokens": int(sums["tokens"]),
        "seconds": time.perf_counter() - t0,
    }
    if cfg.kl_beta > 0:
        out["kl"] = sums["kl"] / n
    return out


@torch.no_grad()
def _reference_logprobs(policy: Policy, batch, temperature: float, autocast) -> torch.Tensor:
    """Log-probs under the reference: the base weights (LoRA: the same model with its adapters off)."""
    if policy.is_lora:
        with policy.model.disable_adapter(), autocast:
            ref, _ = completion_logprobs(policy.model, batch, temperature)
    else:
        with autocast:
            ref, _ = completion_logprobs(policy.reference_model(), batch, temperature)
    return ref.float()
