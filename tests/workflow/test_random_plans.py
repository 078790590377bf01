"""Random valid plans (the random baseline, the tiny warm start's targets): valid, within the step limit, and
with the worker mix they promise."""

from __future__ import annotations

import random
from collections import Counter

from conductor.workflow.random_plans import random_workflow


def _plans(n: int, pool: list[int], max_steps: int = 5, same_worker: float = 0.0):
    rng = random.Random(7)
    return [random_workflow(rng, pool, max_steps, same_worker) for _ in range(n)]


def test_plans_keep_to_the_pool_and_the_step_limit():
    for max_steps in (1, 3, 5):
        plans = _plans(300, [1, 4, 6], max_steps)
        assert {len(p.steps) for p in plans} == set(range(1, max_steps + 1))
        assert {s.worker for p in plans for s in p.steps} == {1, 4, 6}
        assert all(p.steps[-1].access == "all" for p in plans if len(p.steps) > 1)


def test_same_worker_share_of_multi_step_plans():
    def share(plans):
        multi = [p for p in plans if len(p.steps) > 1]
        return sum(len({s.worker for s in p.steps}) == 1 for p in multi) / len(multi)

    pool = [0, 1, 2, 3, 4]
    independent = share(_plans(2000, pool))
    half = share(_plans(2000, pool, same_worker=0.5))
    assert independent < 0.15  # steps drawn independently rarely agree (1/5 per extra step)
    assert 0.5 < half < 0.65  # half the plans by construction, plus chance agreement in the rest
    always = _plans(500, pool, same_worker=1.0)
    assert all(len({s.worker for s in p.steps}) == 1 for p in always)
    # ... and the one worker is still drawn uniformly: no preference taught
    counts = Counter(p.steps[0].worker for p in always)
    assert set(counts) == set(pool) and min(counts.values()) > 60


def test_a_given_first_worker_opens_the_plan_and_leads_same_worker_plans():
    rng = random.Random(3)
    plans = [random_workflow(rng, [0, 2, 4], 3, same_worker=0.5, first=2) for _ in range(400)]
    assert all(p.steps[0].worker == 2 for p in plans)
    multi = [p for p in plans if len(p.steps) > 1]
    same = sum(all(s.worker == 2 for s in p.steps) for p in multi) / len(multi)
    assert 0.5 < same < 0.75  # the same-worker half, plus chance agreement in the rest
    # the later steps of the other plans still draw from the whole pool
    assert {s.worker for p in multi for s in p.steps[1:]} == {0, 2, 4}
