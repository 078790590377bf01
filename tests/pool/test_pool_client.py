"""PoolClient against the simulated pool over real HTTP: answers, usage and cost, limits, every fault."""

from __future__ import annotations

import asyncio
import math

import pytest
from pool_helpers import fast_pool, serve, worker_messages_for

from conductor.pool.client import CallResult, PoolClient, RetryPolicy, _retry_after
from conductor.pool.spec import PoolError
from conductor.sim.faults import FaultConfig

FAST = RetryPolicy(max_attempts=3, base_delay_s=0.02, max_delay_s=0.05)


def run(coro):
    return asyncio.run(coro)


def test_a_call_returns_text_usage_cost_and_timing(sim):
    client = PoolClient(sim.pool)
    r = run(client.call(2, worker_messages_for(0), seed=3))
    w = sim.pool.worker(2)
    assert r.ok and r.text and "<answer>" in r.text
    assert r.prompt_tokens > 0 and r.completion_tokens > 0
    assert r.cost_usd == pytest.approx((r.prompt_tokens * w.price_in + r.completion_tokens * w.price_out) / 1e6)
    assert r.attempts == 1 and not r.cached and r.finish_reason == "stop"
    assert r.ended_at >= r.started_at and r.latency_s == pytest.approx(r.ended_at - r.started_at, abs=0.05)


def test_same_seed_same_answer_and_a_client_survives_a_new_event_loop(sim):
    client = PoolClient(sim.pool)
    a = run(client.call(0, worker_messages_for(1), seed=11))
    b = run(client.call(0, worker_messages_for(1), seed=11))  # a second asyncio.run: a new loop
    assert a.text == b.text


def test_unknown_worker_is_an_error_not_an_exception(sim):
    r = run(PoolClient(sim.pool).call(42, worker_messages_for(0)))
    assert r.error and "not in the pool" in r.error


def _ends_respect_limit(results: list[CallResult], limit: int, latency: float) -> None:
    """With `limit` slots and each request taking >= latency, the k-th call to finish cannot end before
    ceil(k / limit) * latency after the first call started; and slots were used (some calls overlapped)."""
    t0 = min(r.started_at for r in results)
    ends = sorted(r.ended_at - t0 for r in results)
    for k, end in enumerate(ends, start=1):
        assert end >= math.ceil(k / limit) * latency - 0.02, (k, end)
    assert ends[limit - 1] < 2 * latency  # the first `limit` ran together


def test_per_worker_concurrency_limit():
    latency = 0.25
    with serve(extra_latency_s=latency) as sim:
        pool = sim.pool.model_copy(
            update={"workers": tuple(w.model_copy(update={"max_concurrency": 2}) for w in sim.pool.workers)}
        )
        client = PoolClient(pool)

        async def go():
            return await asyncio.gather(*[client.call(1, worker_messages_for(i % 5), seed=i) for i in range(6)])

        _ends_respect_limit(run(go()), limit=2, latency=latency)


def test_global_concurrency_limit():
    latency = 0.25
    with serve(extra_latency_s=latency) as sim:
        client = PoolClient(sim.pool.model_copy(update={"max_concurrency": 3}))

        async def go():
            return await asyncio.gather(*[client.call(i % 5, worker_messages_for(i % 5), seed=i) for i in range(9)])

        _ends_respect_limit(run(go()), limit=3, latency=latency)


# --- faults ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("server_error", "server error (500) after 3 attempts"),
        ("empty", "empty answer after 3 attempts"),
        ("truncated", "truncated answer after 3 attempts"),
        ("rate_limit", "rate limited (429) after 3 attempts"),
    ],
)
def test_each_fault_is_retried_then_reported(fault, expected):
    with serve(FaultConfig.only(fault, retry_after_s=0.05)) as sim:
        r = run(PoolClient(sim.pool, retry=FAST).call(0, worker_messages_for(0), seed=1))
    assert r.error == expected
    assert r.attempts == 3 and len(r.retries) == 3
    if fault == "truncated":
        assert r.finish_reason == "length" and r.text  # the cut-off text is kept for the record


def test_timeout_is_retried_then_reported():
    with serve(FaultConfig.only("timeout", hang_s=5)) as sim:
        pool = fast_pool(sim.pool, timeout_s=0.3)
        r = run(PoolClient(pool, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01)).call(3, worker_messages_for(2)))
    assert r.error == "timeout after 2 attempts"
    assert r.latency_s >= 0.6


def test_faults_at_half_rate_are_mostly_recovered_by_retries():
    with serve(FaultConfig(server_error=0.25, empty=0.25)) as sim:
        client = PoolClient(sim.pool, retry=RetryPolicy(max_attempts=6, base_delay_s=0.01, max_delay_s=0.02))

        async def go():
            return await asyncio.gather(
                *[client.call(w, worker_messages_for(i), seed=s) for w in range(5) for i in range(5) for s in range(2)]
            )

        results = run(go())
    assert sum(r.ok for r in results) >= 45
    assert any(r.ok and r.attempts > 1 for r in results)  # some recovered on a retry


def test_garbage_passes_through_as_an_answer():
    """A 200 with text that has no <answer> cannot be told from a bad answer: it is the verifier's to score."""
    with serve(FaultConfig.only("garbage")) as sim:
        r = run(PoolClient(sim.pool, retry=FAST).call(0, worker_messages_for(0)))
    assert r.ok and r.text and "<answer>" not in r.text


def test_retry_after_is_honoured():
    with serve(FaultConfig.only("rate_limit", retry_after_s=0.4)) as sim:
        policy = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01)
        r = run(PoolClient(sim.pool, retry=policy).call(0, worker_messages_for(0)))
    assert r.attempts == 2
    assert r.retries[0] == "rate limited (429); retried after 0.40 s"
    assert r.latency_s >= 0.4


def test_retry_after_header_forms():
    assert _retry_after({"retry-after-ms": "250", "retry-after": "9"}) == pytest.approx(0.25)
    assert _retry_after({"retry-after": "2"}) == 2.0
    assert 0 <= _retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) < 1  # a past date: no wait
    assert _retry_after({"retry-after": "soon"}) is None
    assert _retry_after({}) is None


def test_client_errors_are_not_retried(sim):
    pool = sim.pool.model_copy(update={"workers": (sim.pool.worker(0).model_copy(update={"model": "no-such-model"}),)})
    r = run(PoolClient(pool, retry=FAST).call(0, worker_messages_for(0)))
    assert r.attempts == 1 and r.error.startswith("HTTP 404") and r.error.endswith("(not retried)")


def test_connection_refused_is_retried_then_reported():
    with serve() as sim:
        pool = sim.pool
    # the server is stopped: its port now refuses connections
    r = run(PoolClient(pool, retry=FAST).call(0, worker_messages_for(0)))
    assert r.error == "connection error after 3 attempts"


def test_a_missing_api_key_fails_at_construction(sim, monkeypatch):
    monkeypatch.delenv("CONDUCTOR_TEST_KEY", raising=False)
    pool = fast_pool(sim.pool, api_key_env="CONDUCTOR_TEST_KEY")
    with pytest.raises(PoolError, match="CONDUCTOR_TEST_KEY"):
        PoolClient(pool)
    monkeypatch.setenv("CONDUCTOR_TEST_KEY", "sk-test-secret")
    r = run(PoolClient(pool).call(0, worker_messages_for(0)))
    assert r.ok and "sk-test-secret" not in r.model_dump_json()


def test_tasks_fixture_is_known_to_the_simulator(sim):
    r = run(PoolClient(sim.pool).call(2, worker_messages_for(4), seed=0))
    assert "<answer>" in r.text and "recognise" not in r.text
