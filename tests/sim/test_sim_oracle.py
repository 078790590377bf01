"""The oracle: exact, the best over every workflow, consistent with the server, and what the pool promises."""

from __future__ import annotations

import asyncio
import itertools
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import LEVEL, SCIENCE, SCIENCE_AT_LEVEL, client_for, gather_limited, run_workflow

from conductor.pool.spec import PoolSpec, SimModel, SimProfile, WorkerSpec
from conductor.sim.answers import is_right
from conductor.sim.oracle import (
    DOMAINS,
    REVIEW_SUBTASK,
    SOLVE_SUBTASK,
    consensus_accuracy,
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


def _brute_force(pool: PoolSpec, domain: str, max_steps: int, level: int | None = None) -> float:
    return max(expected_accuracy(pool, domain, wf, level) for wf in _all_workflows(pool.ids, max_steps))


def _pool(profiles: list[SimProfile], model: SimModel | None = None) -> PoolSpec:
    workers = tuple(WorkerSpec(id=i, name=f"w{i}", model=f"w{i}", sim=p) for i, p in enumerate(profiles))
    return PoolSpec(name="random", simulated=True, workers=workers, sim_model=model or SimModel())


@pytest.mark.parametrize("domain", DOMAINS)
def test_oracle_equals_brute_force_over_every_three_step_workflow(independent_pool: PoolSpec, domain: str) -> None:
    """The first simulator's pool (one component: the first oracle, exactly)."""
    res = oracle(independent_pool, domain, max_steps=3)
    assert res.accuracy == pytest.approx(_brute_force(independent_pool, domain, 3), abs=1e-12)
    assert expected_accuracy(independent_pool, domain, res.workflow) == pytest.approx(res.accuracy, abs=1e-12)


@pytest.mark.parametrize("level", [1, 6, None])
def test_irt_oracle_equals_brute_force_per_level_and_over_the_domain(pool: PoolSpec, level: int | None) -> None:
    """Three workers of the shipped pool (a solver, a checker, a generalist), every 1-3-step workflow: the
    sum over (level, every worker's own take) and the frontier of P(A) vectors lose nothing."""
    small = pool.subset([0, 3, 4] if level is not None else [0, 3])  # all levels: 8x the cases, so two workers
    res = oracle(small, "science", max_steps=3, level=level)
    assert res.accuracy == pytest.approx(_brute_force(small, "science", 3, level), abs=1e-12)
    assert expected_accuracy(small, "science", res.workflow, level) == pytest.approx(res.accuracy, abs=1e-12)


prob = st.floats(0.0, 1.0).map(lambda x: round(x, 3))
profile = st.builds(lambda s, j: SimProfile(skill={"math": s}, judge={"math": j}), prob, prob)


@settings(max_examples=20, deadline=None)
@given(
    profiles=st.lists(profile, min_size=1, max_size=2),
    steps=st.integers(1, 3),
    spread=st.floats(0.0, 3.0),
    level=st.integers(0, 3),
    temperature=st.sampled_from([0.0, 0.2, 1.0, 2.0]),
)
def test_oracle_equals_brute_force_on_random_pools(
    profiles: list[SimProfile], steps: int, spread: float, level: int, temperature: float
) -> None:
    pool = _pool(profiles, SimModel(spread=spread, levels=4))
    pool = pool.model_copy(
        update={"workers": tuple(w.model_copy(update={"temperature": temperature}) for w in pool.workers)}
    )
    res = oracle(pool, "math", max_steps=steps, level=level)
    assert len(res.workflow.steps) <= steps
    assert res.accuracy == pytest.approx(_brute_force(pool, "math", steps, level), abs=1e-9)
    assert expected_accuracy(pool, "math", res.workflow, level) == pytest.approx(res.accuracy, abs=1e-9)


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
    for level in range(pool.sim_model.levels):
        oracle(pool, "math", max_steps=5, level=level)
    assert time.perf_counter() - start < 3.0  # the brief's bound per domain; about 0.1 s a level


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
    """Coordination pays and routing is learnable: no worker best everywhere; the oracle >= 10 points above the
    best single worker; 5x consensus of each domain's best worker well below the oracle (>= 5 points); the
    domain's specialist alone already at >= 0.9 of the oracle (one right routing gets most of it)."""
    best_per_domain = {}
    for d in DOMAINS:
        singles = single_worker_accuracy(pool, d)
        best_per_domain[d] = max(singles, key=singles.get)
    assert len(set(best_per_domain.values())) > 1
    table = oracle_table(pool)
    assert table.mean_oracle >= table.best_single_mean + 0.10
    for row in table.rows:
        assert 0.85 <= row.oracle <= 0.95
        assert row.consensus <= row.oracle - 0.05
        assert row.best_single >= 0.9 * row.oracle
    assert table.as_dicts()[-1]["domain"] == "mean" and "review" in table.format()


def test_harder_tasks_need_more_than_the_specialist(pool: PoolSpec) -> None:
    """On easy tasks the specialist alone is nearly the oracle; on hard ones a second opinion adds most."""
    easy, hard = 0, pool.sim_model.levels - 2
    gain = {
        lv: oracle(pool, "math", 5, lv).accuracy - single_worker_accuracy(pool, "math", lv)[2] for lv in (easy, hard)
    }
    assert gain[easy] < 0.03 < gain[hard]


def test_the_first_simulators_figures_are_reproduced(independent_pool: PoolSpec) -> None:
    """`sim_model: independent` is the first simulator: its oracle and 3-step oracle as first published."""
    table = oracle_table(independent_pool)
    assert [round(r.oracle, 3) for r in table.rows] == [0.876, 0.868, 0.857]
    assert round(table.mean_oracle, 3) == 0.867 and round(table.best_single_mean, 3) == 0.573
    assert round(sum(oracle(independent_pool, d, 3).accuracy for d in DOMAINS) / 3, 3) == 0.834
    # ... and there 5x consensus beats every workflow the oracle allows: what the irt model corrects
    assert table.mean_consensus > table.mean_oracle


def test_consensus_is_the_binomial_majority_given_the_workers_take(independent_pool: PoolSpec, pool: PoolSpec) -> None:
    s = independent_pool.worker(2).sim.skill["math"]
    want = sum(math.comb(5, k) * s**k * (1 - s) ** (5 - k) for k in (3, 4, 5))
    assert consensus_accuracy(independent_pool, "math", 2) == pytest.approx(want)
    # irt: five calls mostly repeat one take, so the vote is barely better than one call
    single = single_worker_accuracy(pool, "math")[2]
    assert single <= consensus_accuracy(pool, "math", 2) < single + 0.02


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


EMPIRICAL = {
    "oracle": None,  # the oracle's workflow at the tasks' level
    "fine-grained review, unfocused step": _wf(
        (4, SOLVE_SUBTASK, "none"), (1, "zz", "none"), (3, "Verify the answer.", (0,)), (0, "Improve it.", "all")
    ),
}


@pytest.mark.parametrize("name", list(EMPIRICAL))
def test_expected_accuracy_matches_the_server(name: str, sim: SimServer, pool: PoolSpec) -> None:
    """Run workflows against the real server, once on each of 240 science tasks of one level: the hit rate
    matches the exact expectation at that level (4 binomial standard deviations, as in the statistics tests)."""
    wf = EMPIRICAL[name] or oracle(pool, "science", 3, LEVEL).workflow
    expected = expected_accuracy(pool, "science", wf, LEVEL)

    async def go():
        client = client_for(sim)
        runs = [lambda t=t, i=i: run_workflow(client, pool, t, wf, i) for i, t in enumerate(SCIENCE_AT_LEVEL)]
        finals = await gather_limited(runs)
        return sum(is_right(SCIENCE, f) for f in finals) / len(finals)

    got = asyncio.run(go())
    n = len(SCIENCE_AT_LEVEL)
    assert abs(got - expected) <= 4 * (expected * (1 - expected) / n) ** 0.5 + 1 / n, (got, expected)


def test_pool_show_prints_the_per_domain_figures(capsys) -> None:
    from conductor.cli import main
    from conductor.pool.spec import DEFAULT_SIM_POOL

    assert main(["pool", "show", "--pool", str(DEFAULT_SIM_POOL.parent / "independent_pool.yaml")]) == 0
    out = capsys.readouterr().out
    assert "(independent; docs/simulator.md)" in out and "5x consensus" in out
    math_row = next(line for line in out.splitlines() if line.startswith("math "))
    assert "0.750 (worker 2)" in math_row and "0.896" in math_row and "0.876" in math_row
