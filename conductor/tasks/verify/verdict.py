"""A verifier's judgement: right or wrong, a score, and a short reason stored with the rollout."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """`score` is 1.0 or 0.0 today (all-or-nothing, as the paper scores); `reason` is one short line:
    "ok", "wrong answer: got 3, expected 4", "timeout after 5s", ..."""

    correct: bool
    score: float
    reason: str

    @classmethod
    def right(cls, reason: str = "ok") -> Verdict:
        return cls(True, 1.0, reason)

    @classmethod
    def wrong(cls, reason: str) -> Verdict:
        return cls(False, 0.0, _short(reason))


def _short(text: str, limit: int = 240) -> str:
    """Reasons go into Parquet next to every rollout: keep them one line and bounded."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."
