"""The call cache (hits are free and recorded, faults never cached) and the run budget (a clean refusal)."""

from __future__ import annotations

import asyncio

import pytest
from pool_helpers import serve, worker_messages_for

from conductor.pool.budget import Budget, BudgetExceeded
from conductor.pool.cache import CallCache, cache_key
from conductor.pool.client import PoolClient, RetryPolicy
from conductor.sim.faults import FaultConfig


def run(coro):
    return asyncio.run(coro)


def test_cache_hit_is_free_identical_and_persists(sim, tmp_path):
    path = tmp_path / "calls.sqlite"
    client = PoolClient(sim.pool, cache=CallCache(path))
    first = run(client.call(1, worker_messages_for(2), seed=5))
    again = run(client.call(1, worker_messages_for(2), seed=5))
    assert not first.cached and first.cost_usd > 0
    assert again.cached and again.cost_usd == 0 and again.attempts == 0
    assert again.text == first.text and again.completion_tokens == first.completion_tokens
    other_seed = run(client.call(1, worker_messages_for(2), seed=6))
    assert not other_seed.cached
    # a new client (a new process, say) on the same file hits too
    reopened = PoolClient(sim.pool, cache=CallCache(path))
    assert run(reopened.call(1, worker_messages_for(2), seed=5)).cached
    assert reopened.cache.hits == 1 and len(reopened.cache) == 2


def test_cache_key_covers_every_sampling_input():
    base = dict(
        model="m",
        base_url="u",
        messages=[{"role": "user", "content": "q"}],
        temperature=0.2,
        max_tokens=10,
        seed=1,
        extra_body={"top_k": 20},
    )
    k = cache_key(**base)
    for field, value in [
        ("model", "m2"),
        ("base_url", "u2"),
        ("messages", []),
        ("temperature", 0.3),
        ("max_tokens", 11),
        ("seed", 2),
        ("extra_body", {"top_k": 21}),
    ]:
        assert cache_key(**{**base, field: value}) != k, field
    assert cache_key(**base) == k


def test_faults_are_never_cached(tmp_path):
    with serve(FaultConfig.only("server_error")) as sim:
        client = PoolClient(sim.pool, cache=CallCache(tmp_path / "c.sqlite"), retry=RetryPolicy(max_attempts=1))
        assert run(client.call(0, worker_messages_for(0))).error
        assert len(client.cache) == 0


def test_call_budget_refuses_new_calls_but_not_cache_hits(sim, tmp_path):
    budget = Budget(max_calls=2)
    client = PoolClient(sim.pool, cache=CallCache(tmp_path / "c.sqlite"), budget=budget)
    run(client.call(0, worker_messages_for(0), seed=1))
    run(client.call(0, worker_messages_for(1), seed=1))
    with pytest.raises(BudgetExceeded, match="2 of 2 calls"):
        run(client.call(0, worker_messages_for(2), seed=1))
    assert run(client.call(0, worker_messages_for(0), seed=1)).cached  # free, so allowed
    with pytest.raises(BudgetExceeded):
        budget.check()
    snap = budget.snapshot()
    assert snap.exhausted and snap.calls == 2


def test_dollar_budget_counts_spend_and_stops(sim):
    budget = Budget(max_usd=0.001)
    client = PoolClient(sim.pool, budget=budget)
    spent = 0.0
    with pytest.raises(BudgetExceeded, match=r"\$"):
        for i in range(100):
            spent += run(client.call(1, worker_messages_for(i % 5), seed=i)).cost_usd
    assert budget.spent_usd == pytest.approx(spent)
    assert spent >= 0.001 and budget.calls < 100


def test_budget_rejects_negative_limits():
    with pytest.raises(ValueError):
        Budget(max_usd=-1)
