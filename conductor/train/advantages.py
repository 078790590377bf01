"""Group-relative advantages (GRPO): each rollout's reward against the other samples of its task.

As TRL's GRPOTrainer computes them (`scale_rewards="group"`): A = (r - mean_group) / (std_group + 1e-4), with
the unbiased standard deviation. A group whose rewards are all equal (every sample right, or every sample
wrong) carries no signal: its advantages are exactly 0 and it is counted, because a rising share of such
groups is how a stalled run shows itself. A group of one sample is treated the same way.

Plain Python on purpose: the iteration loop and the store's SQL can call it without importing torch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

STD_EPS = 1e-4  # TRL's constant
ZERO_STD = 1e-8


@dataclass(frozen=True)
class AdvantageStats:
    n_rows: int
    n_groups: int
    zero_variance_groups: int
    mean_reward: float
    mean_group_std: float

    @property
    def zero_variance_fraction(self) -> float:
        return self.zero_variance_groups / self.n_groups if self.n_groups else 0.0


def group_advantages(
    rewards: Sequence[float], group_ids: Sequence[str], scale: bool = True
) -> tuple[list[float], AdvantageStats]:
    """Advantages in the order of `rewards`; rows of one group need not be adjacent.

    scale=False gives Dr. GRPO's unscaled form (r - mean), for comparison; the paper's code scales.
    """
    if len(rewards) != len(group_ids):
        raise ValueError(f"{len(rewards)} rewards but {len(group_ids)} group ids")
    groups: dict[str, list[int]] = {}
    for i, g in enumerate(group_ids):
        groups.setdefault(g, []).append(i)
    adv = [0.0] * len(rewards)
    zero = 0
    stds = []
    for rows in groups.values():
        vals = [float(rewards[i]) for i in rows]
        mean = sum(vals) / len(vals)
        std = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0.0
        stds.append(std)
        if std < ZERO_STD:
            zero += 1
            continue
        for i, v in zip(rows, vals, strict=True):
            adv[i] = (v - mean) / (std + STD_EPS) if scale else v - mean
    stats = AdvantageStats(
        n_rows=len(rewards),
        n_groups=len(groups),
        zero_variance_groups=zero,
        mean_reward=sum(map(float, rewards)) / len(rewards) if rewards else 0.0,
        mean_group_std=sum(stds) / len(stds) if stds else 0.0,
    )
    return adv, stats
