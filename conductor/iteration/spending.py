"""The run's worker client settings: the optional call cache and what is left of the run's budget.

The budget spans the whole run, resumes included: what earlier iterations spent is read back from the store
(the rollouts' step records), so a resumed run cannot overspend by forgetting what it already paid for.
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from conductor.config import Paths, RunConfig
from conductor.pool.budget import Budget
from conductor.pool.cache import CallCache
from conductor.store.rollouts import read_rollouts
from conductor.store.steps import step_values


class BudgetReached(RuntimeError):
    """The run's budget is spent: no new rollouts are started. The message says how much of which limit."""


def spent_so_far(paths: Paths, run_id: str) -> tuple[float, int]:
    """USD and worker calls (HTTP attempts, cache hits excluded) of every stored rollout of the run."""
    table = read_rollouts(paths.rollouts, run_id)
    cost, attempts = step_values(table, "cost_usd"), step_values(table, "attempts")
    paid = pc.if_else(pc.fill_null(step_values(table, "cached"), False), 0, pc.fill_null(attempts, 0))
    return float(pc.sum(cost).as_py() or 0.0), int(pc.sum(paid).as_py() or 0)


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
