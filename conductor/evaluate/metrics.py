"""Turning evaluation rollouts into the table a user reads: accuracy per policy, beside the oracle."""

from __future__ import annotations

from collections import defaultdict

from conductor.pool.spec import PoolSpec
from conductor.store.schema import RolloutRow
from conductor.tasks.schema import Task


def accuracy_by_policy(rows: list[RolloutRow]) -> dict[str, float]:
    hits: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        hits[r.policy].append(r.correct)
    return {p: sum(v) / len(v) for p, v in sorted(hits.items())}


def oracle_accuracy(pool: PoolSpec, tasks: list[Task], max_steps: int = 5) -> float | None:
    """Best expected accuracy of any workflow on these tasks (simulated pools only; None for real ones)."""
    if not pool.simulated or not tasks:
        return None
    from conductor.sim.oracle import oracle

    per_domain = {d: oracle(pool, d, max_steps=max_steps).accuracy for d in {t.domain for t in tasks}}
    return sum(per_domain[t.domain] for t in tasks) / len(tasks)
