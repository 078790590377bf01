"""benchmarks.claims decides shown / not-shown by one stated rule, from the rows, and picks its held-out pools by
rules that hold on the shipped synthetic pool: no verdict or pool is hard-coded."""

from __future__ import annotations

import json
import math

import pytest

from benchmarks.claims import (
    SHOWN_AT_SE,
    Diff,
    novel_pool,
    paired,
    two_groups,
    unseen_pool,
    unseen_share,
)
from conductor.pool.spec import load_pool
from conductor.sim.generator import HELD_OUT_WORKERS, STRONG, SYNTHETIC_POOL_FILE, TRAIN_WORKERS, skill_word
from conductor.sim.oracle import single_worker_accuracy
from conductor.store.schema import RolloutRow
from conductor.tasks.schema import Task


def row(method: str, task: str, correct: bool, repeat: int = 0, plan: list[int] | None = None) -> RolloutRow:
    workflow = None if plan is None else json.dumps({"model_id": plan, "subtasks": [], "access_list": []})
    return RolloutRow(
        run_id="r",
        iteration=1,
        phase="eval",
        rollout_id=f"{method}-{task}-{repeat}",
        task_id=task,
        source="s",
        domain="code",
        group_id=task,
        policy=method,
        correct=correct,
        repeat=repeat,
        workflow=workflow,
        n_steps=len(plan or []),
    )


def test_a_difference_is_shown_only_beyond_two_standard_errors() -> None:
    # 10 tasks x 2 repeats: A right on every task, B right on task i's repeats as i is even -> paired d = 0 or 1
    rows = [row("A", f"t{i}", True, k) for i in range(10) for k in range(2)]
    rows += [row("B", f"t{i}", i % 2 == 0, k) for i in range(10) for k in range(2)]
    d = paired(rows, "A", "B")
    assert d.n == 10 and d.value == pytest.approx(0.5)
    assert d.se == pytest.approx(math.sqrt(0.25 * 10 / 9) / math.sqrt(10))
    assert d.shown == (d.value > SHOWN_AT_SE * d.se)
    assert d.shown and not Diff(0.05, 0.03, 10).shown and not paired(rows, "B", "A").shown
    assert not two_groups([1, 1], [1, 1]).shown  # equal groups: no difference, none shown
    assert two_groups([3, 3, 2, 3], [1, 1, 2, 1]).shown


def test_the_held_out_pools_follow_their_rules_on_the_shipped_pool() -> None:
    pool = load_pool(SYNTHETIC_POOL_FILE)
    u, ids = unseen_pool(pool)
    assert u in HELD_OUT_WORKERS and set(ids) - {u} <= set(TRAIN_WORKERS)

    def skill(w: int) -> dict[str, float]:
        sim = pool.worker(w).sim
        assert sim is not None
        return sim.skill

    special = max(skill(u), key=lambda d: skill(u)[d])
    sub = pool.subset(ids)
    singles = single_worker_accuracy(sub, special)
    assert max(singles, key=lambda w: singles[w]) == u  # the best choice in its specialty ...
    strong = [w for w in ids if skill_word(skill(w)[special]) == "strong"]
    assert strong == [u] and all(skill(w)[special] < STRONG for w in ids if w != u)
    trained = {(1, 3, 6, 7), (0, 3, 6, 7)}
    novel = novel_pool(pool, trained)
    assert len(novel) == 4 and tuple(novel) not in trained and set(novel) <= set(TRAIN_WORKERS)


def test_the_unseen_share_counts_steps_on_the_tasks_where_the_unseen_worker_is_best() -> None:
    pool = load_pool(SYNTHETIC_POOL_FILE)
    u, ids = unseen_pool(pool)
    sub = pool.subset(ids)
    tasks = {
        f"c{i}": Task(id=f"c{i}", source="s", domain="code", question="q", answer="a", verifier="code")
        for i in range(4)
    }
    rows = [row("conductor", "c0", True, plan=[u, u]), row("conductor", "c1", True, plan=[ids[0], u])]
    rows += [row("conductor", "c2", False), row("conductor", "c3", True, plan=[ids[0]])]  # c2 did not parse: share 0
    share, n = unseen_share(rows, sub, tasks, u)
    assert n == 4 and share.value == pytest.approx((1 + 0.5 + 0 + 0) / 4 - 1 / len(ids))
