"""When an evaluated checkpoint replaces the champion: it must beat the champion's accuracy, measured on the
same tasks and pool (the same evaluation key), by more than the standard error of the difference,
sqrt(se_new^2 + se_champion^2) (the two evaluations' samples are independent). The decision and its reason are
plain values, so the CLI and the flow say the same thing either way."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass


def evaluation_key(task_ids: list[str], pool_label: str, repeats: int, seed: int) -> str:
    """What two evaluations must share to be compared: the tasks, the pool, the repeats and the seed."""
    text = json.dumps([sorted(task_ids), pool_label, repeats, seed])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str


def decide(new: tuple[float, float | None], champion: tuple[float, float | None] | None) -> Decision:
    """new, champion: (accuracy, standard error). No champion yet: the evaluated version becomes it."""
    acc, se = new
    if champion is None:
        return Decision(True, f"no champion yet: promoted at accuracy {acc:.3f}")
    c_acc, c_se = champion
    se_diff = math.sqrt((se or 0.0) ** 2 + (c_se or 0.0) ** 2)
    diff = acc - c_acc
    if diff > se_diff:
        return Decision(True, f"beats the champion by {diff:+.3f} > standard error of the difference {se_diff:.3f}")
    return Decision(
        False, f"does not beat the champion: difference {diff:+.3f} <= standard error of the difference {se_diff:.3f}"
    )
