"""The oracle: exact, the best over every workflow, consistent with the server, and what the pool promises."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import BY_DOMAIN, client_for, gather_limited, run_workflow

from conductor.pool.spec import PoolSpec, SimProfile, WorkerSpec
from conductor.sim.answers import is_right
from conductor.sim.oracle import (
    DOMAINS,
    REVIEW_SUBTASK,
    SOLVE_SUBTASK,
    expected_accuracy,
    oracle,
    oracle_table,
    single_worker_accuracy,
)
from conductor.sim.roles import classify_role
from conductor.sim.server import SimServer
from conductor.workflow.schema import Step, Workflow

SUBTASKS = (SOLVE_SUBTASK, REVIEW_SUBTASK)


def _wf(*steps: tuple[int, str, object]) -> Workflow:
    return Workflow(steps=tuple(Step(worker=w, subtask=s, access=a) for w, s, a in steps))


def _all_workflows(ids, max_steps: int):
    options = [(w, s, a) for w in ids for s in SUBTASKS for a in ("all", "none")]
    for n in range(1, max_steps + 1):
        for seq in itertools.product(options, repeat=n):
            yield _wf(*seq)


def _brute_force(pool: PoolSpec, domain: str, max_steps: int) -> float:
    return max(expected_accuracy(pool, domain, wf) for wf in _all_workflows(pool.ids, max_steps))


def _pool(profiles: list[SimProfile]) -> PoolSpec:
    workers = tuple(WorkerSpec(id=i, name=f"w{i}", model=f"w{i}", sim=p) for i, p in enumerate(profiles))
    return PoolSpec(name="random", simulated=True, workers=workers)


@pytest.mark.parametrize("domain", DOMAINS)
def test_oracle_equals_brute_force_over_every_three_step_workflow(pool: PoolSpec, domain: str) -> None:
    res = oracle(pool, domain, max_steps=3)
    assert res.accuracy == pytest.approx(_brute_force(pool, domain, 3), abs=1e-12)
    assert expected_accuracy(pool, domain, res.workflow) == pytest.approx(res.accuracy, abs=1e-12)


prob = st.floats(0.0, 1.0).map(lambda x: round(x, 3))
profile = st.builds(lambda s, j: SimProfile(skill={"math": s}, judge={"math": j}), prob, prob)


@settings(max_examples=25, deadline=None)
@given(profiles=st.lists(profile, min_size=1, max_size=3), steps=st.integers(1, 3))
def test_oracle_equals_brute_force_on_random_pools(profiles: list[SimProfile], steps: int) -> None:
    pool = _pool(profiles)
    res = oracle(pool, "math", max_steps=steps)
    assert len(res.workflow.steps) <= steps
    assert res.accuracy == pytest.approx(_brute_force(pool, "math", steps), abs=1e-9)
    assert expected_accuracy(pool, "math", res.workflow) == pytest.approx(res.accuracy, abs=1e-9)


def test_oracle_workflow_uses_the_roles_it_claims(pool: PoolSpec) -> None:
    for domain in DOMAINS:
        wf = oracle(pool, domain).workflow
        assert 1 <= len(wf.steps) <= 5
        for i, step in enumerate(wf.steps):
            if step.access == "all":
                assert classify_role(step.subtask) == "review" and i > 0
            else:
                assert classify_role(step.subtask) == "solve"


def test_oracle_is_fast_for_five_workers_and_five_steps(pool: PoolSpec) -> None:
    start = time.perf_counter()
    for domain in DOMAINS:
        oracle(pool, domain, max_steps=5)
    assert time.perf_counter() - start < 3.0  # the brief's bound; it takes milliseconds


HAND_WRITTEN = [
    _wf((0, SOLVE_SUBTASK, "none"), (1, SOLVE_SUBTASK, "none"), (2, SOLVE_SUBTASK, "none"), (3, REVIEW_SUBTASK, "all")),
    _wf((2, SOLVE_SUBTASK, "none"), (0, "Check the answer above.", "all"), (1, "Refine it and answer.", "all")),
    _wf(*[(w, SOLVE_SUBTASK, "none") for w in range(4)], (4, "Aggregate the answers.", "all")),
    _wf((1, "Write a plan.", "none"), (1, "Implement the plan.", "all"), (3, "Verify the program.", "all")),
    _wf((0, SOLVE_SUBTASK, "none"), (2, SOLVE_SUBTASK, "none"), (4, REVIEW_SUBTASK, (0, 1))),
    _wf((2, SOLVE_SUBTASK, "none"), (2, SOLVE_SUBTASK, "none"), (2, REVIEW_SUBTASK, (1,)), (0, REVIEW_SUBTASK, "all")),
    _wf((0, "", "none"), (3, "hmm", "all")),
]


@pytest.mark.parametrize("domain", DOMAINS)
def test_oracle_beats_hand_written_workflows_and_single_workers(pool: PoolSpec, domain: str) -> None:
    best = oracle(pool, domain).accuracy
    for wf in HAND_WRITTEN:
        assert best >= expected_accuracy(pool, domain, wf) - 1e-12
    assert best > max(single_worker_accuracy(pool, domain).values())


def test_default_pool_keeps_its_promises(pool: PoolSpec) -> None:
    """No worker is best everywhere; the oracle beats the best single worker by >= 10 points but is not ~1."""
    best_per_domain = {}
    for d in DOMAINS:
        singles = single_worker_accuracy(pool, d)
        best_per_domain[d] = max(singles, key=singles.get)
    assert len(set(best_per_domain.values())) > 1
    table = oracle_table(pool)
    assert table.mean_oracle >= table.best_single_mean + 0.10
    for row in table.rows:
        assert 0.8 <= row.oracle <= 0.92
    assert table.as_dicts()[-1]["domain"] == "mean" and "review" in table.format()


def test_subset_pools_and_unfocused_subtasks(pool: PoolSpec) -> None:
    small = pool.subset([3, 4])
    for d in DOMAINS:
        sub = oracle(small, d)
        assert {s.worker for s in sub.workflow.steps} <= {3, 4}
        assert sub.accuracy <= oracle(pool, d).accuracy + 1e-12
    focused = _wf((2, SOLVE_SUBTASK, "none"))
    vague = _wf((2, "", "none"))
    assert expected_accuracy(pool, "math", vague) == pytest.approx(expected_accuracy(pool, "math", focused) / 2)
    with pytest.raises(ValueError):
        expected_accuracy(small, "math", focused)  # worker 2 is not in the subset
    with pytest.raises(ValueError):
        expected_accuracy(pool, "math", _wf((2, SOLVE_SUBTASK, "none"), (0, REVIEW_SUBTASK, (1,))))


RUNS = 200

EMPIRICAL = {
    "oracle": None,  # filled per domain
    "parallel + small checker": _wf(
        (0, SOLVE_SUBTASK, "none"), (2, SOLVE_SUBTASK, "none"), (3, "Check the answers above and choose.", "all")
    ),
    "fine-grained review of one": _wf(
        (4, SOLVE_SUBTASK, "none"), (1, SOLVE_SUBTASK, "none"), (0, "Verify the answer.", (0,))
    ),
    "unfocused then review": _wf((1, "zz", "none"), (2, "Improve the answer above.", "all")),
}


@pytest.mark.parametrize("name", list(EMPIRICAL))
def test_expected_accuracy_matches_the_server(name: str, sim: SimServer, pool: PoolSpec) -> None:
    """Run workflows against the real server many times: the hit rate matches the exact expectation."""
    domain = {"oracle": "math", "parallel + small checker": "science"}.get(name, "code")
    task = BY_DOMAIN[domain]
    wf = EMPIRICAL[name] or oracle(pool, domain).workflow
    expected = expected_accuracy(pool, domain, wf)

    async def go():
        client = client_for(sim)
        runs = [lambda seed=seed: run_workflow(client, pool, task, wf, seed) for seed in range(RUNS)]
        finals = await gather_limited(runs)
        return sum(is_right(task, f) for f in finals) / RUNS

    got = asyncio.run(go())
    assert abs(got - expected) <= 4 * (expected * (1 - expected) / RUNS) ** 0.5 + 1 / RUNS, (got, expected)
