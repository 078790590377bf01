"""The Conductor's reward (paper section 5): 0 / 0.5 / 1, with every component kept.

  * 0    the three lists do not parse, or the workflow is invalid (or, under `infra_fault_policy: zero`, a
         worker call failed: the authors' behaviour);
  * 0.5  the workflow is valid and runs, but the final answer is wrong (the `format` part);
  * 1    the final answer is right (`format` + `correctness`).
The paper has no cost, length or step penalty. `TrainConfig.cost_weight` x USD is our optional extension,
0 by default; it is subtracted only from workflows that ran (one that did not parse spent nothing), and the
total is not clipped at 0, so a very expensive right answer can score below a cheap wrong one: that is what
a cost weight asks for.

The authors' code scores 0 / 0.5 / 1.5 (a 0.5 format bonus on a 0/1 correctness score); we follow the paper.
Recursion (paper section 7): the first round's reward becomes `(1 - d) * r_first + d * r_second`, with
d = `TrainConfig.recursion_discount` (paper 0.25; the authors' code 0.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from conductor.config import TrainConfig

FORMAT_REWARD = 0.5
CORRECT_REWARD = 0.5


@dataclass(frozen=True)
class RewardParts:
    format: float  # 0.5 when the workflow parsed, was valid and ran
    correctness: float  # 0.5 more when its final answer was right
    cost_penalty: float  # cost_weight x USD spent by the workflow's worker calls (>= 0)
    total: float  # format + correctness - cost_penalty


def compute_reward(
    *, parsed: bool, ran: bool, correct: bool, cost_usd: float = 0.0, cfg: TrainConfig | None = None
) -> RewardParts:
    """The reward of one rollout.

    parsed: the lists parsed and the workflow is valid. ran: every step executed (no worker fault). A
    rollout that did not run scores 0; whether it enters the update at all is `should_drop`'s question.
    """
    cfg = cfg or TrainConfig()
    if not parsed or not ran:
        return RewardParts(format=0.0, correctness=0.0, cost_penalty=0.0, total=0.0)
    fmt = FORMAT_REWARD
    corr = CORRECT_REWARD if correct else 0.0
    penalty = cfg.cost_weight * max(0.0, cost_usd)
    return RewardParts(format=fmt, correctness=corr, cost_penalty=penalty, total=fmt + corr - penalty)


def should_drop(infra_fault: str | None, cfg: TrainConfig | None = None) -> bool:
    """Keep a rollout whose worker call failed after retries out of the update? ('drop': yes, and record it.)

    A fault of the infrastructure says nothing about the plan; scoring it 0 (the authors' code) punishes the
    Conductor for an outage. Our default drops it; `infra_fault_policy: zero` restores the authors' behaviour.
    """
    cfg = cfg or TrainConfig()
    return bool(infra_fault) and cfg.infra_fault_policy == "drop"


def recursion_reward(r_first: float, r_second: float, discount: float) -> float:
    """The first round's reward once a recursive round followed: `(1 - d) * r_first + d * r_second`."""
    if not 0.0 <= discount <= 1.0:
        raise ValueError(f"recursion discount {discount} is not in [0, 1]")
    return (1.0 - discount) * r_first + discount * r_second
