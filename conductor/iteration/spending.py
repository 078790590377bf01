"""The run's worker client settings: the optional call cache and what is left of the run's budget.

The budget spans the whole run, resumes included: what earlier iterations spent is read back from the store
(the rollouts' step records), so a resumed run cannot overspend by forgetting what it already paid for.
"""

from __future__ import annotations

import json
from typing import Any

from conductor.config import Paths, RunConfig
from conductor.pool.budget import Budget
from conductor.pool.cache import CallCache
from conductor.store.rollouts import read_rollouts


class BudgetReached(RuntimeError):
    """The run's budget is spent: no new rollouts are started. The message says how much of which limit."""


def spent_so_far(paths: Paths, run_id: str) -> tuple[float, int]:
    """USD and worker calls (HTTP attempts, cache hits excluded) of every stored rollout of the run."""
    table = read_rollouts(paths.rollouts, run_id)
    usd, calls = 0.0, 0
    for steps in table.column("steps").to_pylist():
        for s in json.loads(steps or "[]"):
            usd += float(s.get("cost_usd") or 0.0)
            if not s.get("cached"):
                calls += int(s.get("attempts") or 0)
    return usd, calls


def client_kwargs(cfg: RunConfig, paths: Paths, run_id: str) -> dict[str, Any]:
    """Keyword arguments for PoolClient; raises BudgetReached when nothing is left to spend."""
    kwargs: dict[str, Any] = {}
    if cfg.cache:
        kwargs["cache"] = CallCache(paths.cache / "calls.sqlite")
    if cfg.budget_usd is not None or cfg.budget_calls is not None:
        usd, calls = spent_so_far(paths, run_id)
        left_usd = None if cfg.budget_usd is None else cfg.budget_usd - usd
        left_calls = None if cfg.budget_calls is None else cfg.budget_calls - calls
        if (left_usd is not None and left_usd <= 0) or (left_calls is not None and left_calls <= 0):
            raise BudgetReached(
                f"budget reached: ${usd:.4f} spent of ${cfg.budget_usd} and {calls} calls made of "
                f"{cfg.budget_calls}; no new rollouts are started"
            )
        kwargs["budget"] = Budget(max_usd=left_usd, max_calls=left_calls)
    return kwargs
