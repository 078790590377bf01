"""A per-run spending limit, in dollars or in calls, shared by every worker call of a run.

Why: a training run makes thousands of paid calls; a bug in a loop or a price that is wrong by 100x must stop
the run rather than the card. The client asks `reserve()` before each new request (cache hits are free and
never refused) and `charge()` after it; a refused request raises `BudgetExceeded`, which is not a worker
fault: the executor records the rollout as stopped by the budget, and the loop that starts new rollouts
calls `check()` and stops cleanly, saying why.

Calls are counted when they start, so a call limit is exact. Dollars are known only when a call ends, so a
dollar limit can be overshot by the calls already in flight when it is reached (at most the pool's
concurrency limit of calls).
"""

from __future__ import annotations

import threading

from pydantic import BaseModel, ConfigDict


class BudgetExceeded(RuntimeError):
    """New worker calls are refused: the run's budget is spent. The message says which limit and how much."""


class BudgetSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_usd: float | None
    max_calls: int | None
    spent_usd: float
    calls: int
    exhausted: bool


class Budget:
    """Limits in dollars and/or calls (None: no limit). Safe to share between threads and event loops."""

    def __init__(self, max_usd: float | None = None, max_calls: int | None = None) -> None:
        if max_usd is not None and max_usd < 0:
            raise ValueError("max_usd must be >= 0")
        if max_calls is not None and max_calls < 0:
            raise ValueError("max_calls must be >= 0")
        self.max_usd = max_usd
        self.max_calls = max_calls
        self.spent_usd = 0.0
        self.calls = 0
        self._lock = threading.Lock()

    def _reason(self) -> str | None:
        if self.max_calls is not None and self.calls >= self.max_calls:
            return f"budget exceeded: {self.calls} of {self.max_calls} calls made"
        if self.max_usd is not None and self.spent_usd >= self.max_usd:
            return f"budget exceeded: ${self.spent_usd:.4f} of ${self.max_usd:.4f} spent"
        return None

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return self._reason() is not None

    def check(self) -> None:
        """Raise BudgetExceeded if no new call may start: call this before starting new rollouts."""
        with self._lock:
            reason = self._reason()
        if reason:
            raise BudgetExceeded(reason)

    def reserve(self) -> None:
        """Count one new call, or raise BudgetExceeded if the budget is spent."""
        with self._lock:
            reason = self._reason()
            if reason:
                raise BudgetExceeded(reason)
            self.calls += 1

    def charge(self, cost_usd: float) -> None:
        with self._lock:
            self.spent_usd += max(0.0, cost_usd)

    def snapshot(self) -> BudgetSnapshot:
        with self._lock:
            return BudgetSnapshot(
                max_usd=self.max_usd,
                max_calls=self.max_calls,
                spent_usd=self.spent_usd,
                calls=self.calls,
                exhausted=self._reason() is not None,
            )
