"""From stored rollouts to a GRPO update: the glue between the store and conductor.train.

Only the iteration's *training* rollouts are used. Rollouts whose worker call failed after retries are left
out when `infra_fault_policy` is 'drop' (the default): a fault of the infrastructure is not a bad plan. The
stored logprobs make the importance ratios exact; the optimizer state travels with the checkpoint, so an
update after a resume continues where the killed run left off.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa

from conductor.config import TrainConfig
from conductor.policy.model import Policy, load_optimizer_state
from conductor.train.advantages import group_advantages
from conductor.train.grpo import UpdateRow, grpo_update, make_optimizer
from conductor.train.reward import should_drop
from conductor.train.shard import Shard


def update_from_table(
    policy: Policy, table: pa.Table, cfg: TrainConfig, checkpoint_in: Path | None = None, shard: Shard | None = None
) -> tuple[dict[str, Any], Any]:
    rows = table.to_pylist()
    kept = [r for r in rows if not should_drop(r["infra_fault"], cfg)]
    dropped = len(rows) - len(kept)
    rows = kept
    advantages, stats = group_advantages([r["reward"] for r in rows], [r["group_id"] for r in rows])
    update_rows = [
        UpdateRow(
            prompt_text=r["prompt"],
            completion_ids=list(r["completion_ids"]),
            old_logprobs=list(r["logprobs"]),
            advantage=a,
        )
        for r, a in zip(rows, advantages, strict=True)
        if r["completion_ids"]
    ]
    optimizer = make_optimizer(policy, cfg)
    resumed = checkpoint_in is not None and load_optimizer_state(optimizer, checkpoint_in)
    optimizer, history = grpo_update(policy, update_rows, cfg, optimizer=optimizer, shard=shard)
    last = history[-1] if history else {}
    metrics = {
        "steps": len(history),
        "loss": float(last.get("loss", float("nan"))),
        "rows": len(update_rows),
        "dropped_infra_faults": dropped,
        "groups": stats.n_groups,
        "zero_variance_groups": stats.zero_variance_groups,
        "optimizer_resumed": int(resumed),
        "history": history,
    }
    return metrics, optimizer


def save_checkpoint(policy: Policy, optimizer: Any, out: Path) -> None:
    """Save the updated policy with its optimizer state (resume) as `out`, atomically: a killed save leaves
    only a hidden temporary folder, never a half-written checkpoint under the final name."""
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    policy.save(tmp, optimizer=optimizer)
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    policy.source = str(out)  # the weights now live there: what a generator reading checkpoints loads (vLLM)
