"""The executor against the simulated pool over real HTTP: order, overlap, equivalence, faults, budget, cache."""

from __future__ import annotations

import asyncio

import pytest
from wf_helpers import QUESTIONS, serve, wf, with_workers

from conductor.pool.budget import Budget
from conductor.pool.cache import CallCache
from conductor.pool.client import PoolClient, RetryPolicy
from conductor.seeds import step_seed
from conductor.sim.faults import FaultConfig
from conductor.workflow.executor import NOT_RUN, ExecutionRequest, execute, execute_many, execute_sequential
from conductor.workflow.worker_prompt import PREVIOUS_OPEN, SeenStep, worker_messages

FAST = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02)
LATENCY = 0.3

FAN_IN = wf(
    (2, "Solve the problem.", "none"), (0, "Solve the problem.", "none"), (3, "Check the answers above.", "all")
)
CHAIN = wf((2, "Solve the problem.", "none"), (3, "Check the answer above.", "all"), (0, "Verify and answer.", "all"))
WORKFLOWS = [
    FAN_IN,
    CHAIN,
    wf((4, "Solve it.", "none")),
    wf((1, "Solve.", "none"), (2, "Solve.", "none"), (0, "Solve.", "none"), (3, "Pick the best answer.", "all")),
    wf((0, "Solve.", "none"), (1, "Solve.", "none"), (2, "Compare the first two.", (0, 1)), (3, "Review.", (2,))),
    wf(
        (2, "Solve.", "all"),
        (4, "Solve again.", "none"),
        (1, "Check.", "all"),
        (0, "Improve.", "none"),
        (3, "Choose the final answer.", "all"),
    ),
]


def run(coro):
    return asyncio.run(coro)


def test_independent_steps_overlap_and_an_all_step_waits():
    with serve(extra_latency_s=LATENCY) as sim:
        ex = run(execute(FAN_IN, QUESTIONS[0], PoolClient(sim.pool), seed=1))
    assert ex.ok
    s0, s1, s2 = ex.steps
    for s in ex.steps:
        assert s.ended_at - s.started_at >= LATENCY  # each call took at least the injected latency
    assert s0.started_at < s1.ended_at and s1.started_at < s0.ended_at  # the two [] steps overlapped
    assert s2.started_at >= max(s0.ended_at, s1.ended_at)  # the "all" step waited for both
    # three calls of >= LATENCY each, two at once: the whole took about two latencies, not three
    assert ex.latency_s < 3 * LATENCY
    assert ex.latency_s >= 2 * LATENCY


def test_sequential_runs_one_step_after_another():
    with serve(extra_latency_s=LATENCY) as sim:
        ex = run(execute_sequential(FAN_IN, QUESTIONS[0], PoolClient(sim.pool), seed=1))
    s0, s1, s2 = ex.steps
    assert s1.started_at >= s0.ended_at and s2.started_at >= s1.ended_at
    assert ex.latency_s >= 3 * LATENCY


def test_concurrent_and_sequential_give_identical_results(sim):
    client = PoolClient(sim.pool)

    async def both():
        jobs = [(w, q, seed) for w in WORKFLOWS for q in QUESTIONS[:3] for seed in (0, 1)]
        conc = await asyncio.gather(*[execute(w, q, client, seed=s) for w, q, s in jobs])
        seq = [await execute_sequential(w, q, client, seed=s) for w, q, s in jobs]
        return conc, seq

    conc, seq = run(both())
    answers = set()
    for a, b in zip(conc, seq, strict=True):
        assert a.ok and b.ok
        assert a.answer == b.answer
        assert [s.messages for s in a.steps] == [s.messages for s in b.steps]
        assert [s.output for s in a.steps] == [s.output for s in b.steps]
        answers.add(a.answer)
    assert len(answers) > 3  # the comparison is not between constant strings


def test_step_seeds_depend_on_seed_and_index_only():
    assert step_seed(0, 1) == step_seed(0, 1)
    assert len({step_seed(s, i) for s in range(5) for i in range(5)}) == 25
    assert all(0 <= step_seed(s, 3) < 2**31 for s in range(50))


def test_messages_are_built_by_worker_prompt_with_the_visible_steps(sim):
    ex = run(execute(CHAIN, QUESTIONS[1], PoolClient(sim.pool), seed=2))
    s0, s1, s2 = ex.steps
    assert s0.messages == worker_messages(QUESTIONS[1], "Solve the problem.", [])
    assert s2.messages == worker_messages(
        QUESTIONS[1], "Verify and answer.", [SeenStep(2, s0.subtask, s0.output), SeenStep(3, s1.subtask, s1.output)]
    )
    assert s2.visible == [0, 1] and s0.visible == [] and s2.access == "all"
    assert ex.answer == s2.output and ex.cost_usd == pytest.approx(sum(s.cost_usd for s in ex.steps))
    assert [s.seed for s in ex.steps] == [step_seed(2, i) for i in range(3)]


def test_previous_round_is_shown_to_all_steps_only(sim):
    client = PoolClient(sim.pool)
    first = run(execute(CHAIN, QUESTIONS[2], client, seed=0))
    second = run(execute(FAN_IN, QUESTIONS[2], client, seed=1, previous_round=first))
    assert PREVIOUS_OPEN not in second.steps[0].messages[1]["content"]
    last = second.steps[2].messages[1]["content"]
    assert PREVIOUS_OPEN in last and first.steps[0].output in last


def test_worker_without_prefill_gets_no_assistant_turn():
    with serve() as sim:
        pool = with_workers(sim.pool, prefill=False)
        ex = run(execute(CHAIN, QUESTIONS[0], PoolClient(pool), seed=0))
    assert all(s.messages[-1]["role"] == "user" for s in ex.steps) and ex.ok


# --- faults -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("timeout", "timeout after 2 attempts"),
        ("rate_limit", "rate limited (429) after 2 attempts"),
        ("server_error", "server error (500) after 2 attempts"),
        ("empty", "empty answer after 2 attempts"),
        ("truncated", "truncated answer after 2 attempts"),
    ],
)
def test_each_fault_marks_the_execution_failed_and_is_recorded(fault, reason):
    with serve(FaultConfig.only(fault, hang_s=5, retry_after_s=0.05)) as sim:
        client = PoolClient(with_workers(sim.pool, timeout_s=0.3), retry=FAST)
        ex = run(execute(CHAIN, QUESTIONS[0], client, seed=0))
    assert not ex.ok and ex.answer == ""
    assert ex.failure == f"step 0 (worker 2): {reason}"
    assert ex.steps[0].error == reason and ex.steps[0].attempts == 2 and len(ex.steps[0].retries) == 2
    assert [s.error for s in ex.steps[1:]] == [NOT_RUN, NOT_RUN]
    assert ex.model_dump_json()  # the whole record serialises for the store


def test_garbage_is_an_answer_not_a_fault():
    with serve(FaultConfig.only("garbage")) as sim:
        ex = run(execute(CHAIN, QUESTIONS[0], PoolClient(sim.pool, retry=FAST), seed=0))
    assert ex.ok and ex.answer and "<answer>" not in ex.answer


def test_independent_step_already_running_finishes_when_another_fails():
    with serve(FaultConfig.only("server_error")) as sim:
        pool = sim.pool.model_copy(
            update={
                "workers": tuple(
                    w if w.id != 1 else w.model_copy(update={"model": "missing-model"}) for w in sim.pool.workers
                )
            }
        )
        workflow = wf((1, "Solve.", "none"), (2, "Solve.", "none"), (3, "Check.", "all"))
        ex = run(execute(workflow, QUESTIONS[0], PoolClient(pool, retry=FAST), seed=0))
    assert not ex.ok and ex.failure.startswith("step 0 (worker 1): HTTP 404")
    assert ex.steps[2].error == NOT_RUN


def test_a_batch_survives_failures_and_keeps_order(sim):
    jobs = [
        ExecutionRequest(CHAIN, QUESTIONS[0], seed=0),
        ExecutionRequest(wf((99, "Solve.", "none")), QUESTIONS[1]),
        ExecutionRequest(FAN_IN, QUESTIONS[2], seed=3),
    ]
    out = run(execute_many(jobs, PoolClient(sim.pool)))
    assert [e.ok for e in out] == [True, False, True]
    assert out[1].failure == "step 0 (worker 99): worker 99 is not in the pool"
    single = run(execute(FAN_IN, QUESTIONS[2], PoolClient(sim.pool), seed=3))
    assert out[2].answer == single.answer


def test_budget_stops_a_batch_cleanly(sim):
    budget = Budget(max_calls=4)
    client = PoolClient(sim.pool, budget=budget)
    jobs = [ExecutionRequest(CHAIN, q, seed=0) for q in QUESTIONS[:4]]
    out = run(execute_many(jobs, client, max_in_flight=1))
    assert out[0].ok
    assert not out[1].ok and out[1].failure.startswith("step 1 (worker 3): budget exceeded: 4 of 4 calls")
    assert all(not e.ok and e.failure.endswith("workflow not started") for e in out[2:])
    assert budget.calls == 4


def test_cache_makes_a_rerun_free(sim, tmp_path):
    client = PoolClient(sim.pool, cache=CallCache(tmp_path / "calls.sqlite"))
    first = run(execute(CHAIN, QUESTIONS[3], client, seed=4))
    again = run(execute(CHAIN, QUESTIONS[3], client, seed=4))
    assert not any(s.cached for s in first.steps) and first.cost_usd > 0
    assert all(s.cached for s in again.steps) and again.cost_usd == 0
    assert again.answer == first.answer
