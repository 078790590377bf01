"""Turning evaluation rollouts into the table a user reads: accuracy per policy, beside the oracle."""

from __future__ import annotations

import json
from collections import defaultdict

from conductor.pool.spec import PoolSpec
from conductor.sim.oracle import expected_accuracy, level_of, task_oracle_accuracy
from conductor.store.schema import RolloutRow
from conductor.tasks.schema import Task
from conductor.workflow.validate import validate_lists


def accuracy_by_policy(rows: list[RolloutRow]) -> dict[str, float]:
    hits: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        hits[r.policy].append(r.correct)
    return {p: sum(v) / len(v) for p, v in sorted(hits.items())}


def oracle_accuracy(pool: PoolSpec, tasks: list[Task], max_steps: int = 5) -> float | None:
    """Best expected accuracy of any workflow on these tasks, each task's best for its domain and difficulty
    (simulated pools only; None for real ones)."""
    if not pool.simulated or not tasks:
        return None
    return task_oracle_accuracy(pool, tasks, max_steps)


def expected_plan_accuracy(pool: PoolSpec, rows: list[RolloutRow], tasks: list[Task] | None = None) -> float | None:
    """Mean expected accuracy of the workflows these rows hold, under the simulated pool's model.

    Why: a measured accuracy on 60 tasks carries the simulator's coin flips (a standard error of about 6
    points), the oracle beside it does not. Scoring the Conductor's *plans* the way the oracle is scored
    leaves only the sampling of the plans, so a learning curve and its ratio to the oracle can be read
    from one run. A plan that did not parse scores 0, as it does in the reward. None for real pools.
    `tasks` gives each row's task its difficulty (the simulator's irt model); a row whose task is not among
    them is scored at its id's difficulty, as if its source had none of its own.
    """
    if not pool.simulated or not rows:
        return None
    by_id = {t.id: t for t in tasks or ()}
    total = 0.0
    for r in rows:
        if r.workflow is None:
            continue
        lists = json.loads(r.workflow)
        # Stored plans were validated when written; rebuild them without re-applying the run's limits.
        wf = validate_lists(
            lists["model_id"],
            lists["subtasks"],
            lists["access_list"],
            max_steps=10**6,
            allow_empty=True,
            fine_grained=True,
            max_subtask_chars=10**9,
        )
        if wf.steps:  # an accepted previous answer (a recursion round) has no plan of its own to score
            task = by_id.get(r.task_id)
            level = level_of(pool, r.task_id, task.difficulty if task is not None else None)
            total += expected_accuracy(pool, r.domain, wf, level)
    return total / len(rows)
