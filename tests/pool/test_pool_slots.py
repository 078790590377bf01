"""PrioritySlots: never more holders than slots, higher priority first, FIFO among equals, safe cancellation."""

from __future__ import annotations

import asyncio

import pytest

from conductor.pool.slots import PrioritySlots
from conductor.workflow.executor import chain_heights
from conductor.workflow.schema import Step, Workflow


def test_waiters_are_served_by_priority_then_arrival():
    async def go():
        slots, order, holders, peak = PrioritySlots(2), [], [0], [0]

        async def user(name, prio):
            await slots.acquire(prio)
            holders[0] += 1
            peak[0] = max(peak[0], holders[0])
            order.append(name)
            await asyncio.sleep(0.01)
            holders[0] -= 1
            slots.release()

        first = [asyncio.create_task(user(f"a{i}", 0)) for i in range(2)]  # take both slots
        await asyncio.sleep(0)
        rest = [asyncio.create_task(user(n, p)) for n, p in [("low1", 1), ("high", 5), ("low2", 1), ("mid", 3)]]
        await asyncio.gather(*first, *rest)
        return order, peak[0]

    order, peak = asyncio.run(go())
    assert order[:2] == ["a0", "a1"] and order[2:] == ["high", "mid", "low1", "low2"]
    assert peak == 2


def test_a_cancelled_waiter_does_not_lose_a_slot():
    async def go():
        slots = PrioritySlots(1)
        await slots.acquire()
        waiter = asyncio.create_task(slots.acquire(1))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        slots.release()
        await asyncio.wait_for(slots.acquire(), timeout=1)  # the slot is free again
        return slots.waiting

    assert asyncio.run(go()) == 0


def test_chain_heights_are_the_longest_chain_to_the_end():
    w = Workflow(
        steps=(
            Step(worker=0, subtask="a"),
            Step(worker=0, subtask="b"),
            Step(worker=0, subtask="c", access="all"),
            Step(worker=0, subtask="d"),
            Step(worker=0, subtask="e", access=(3,)),
        )
    )
    assert chain_heights(w) == [2, 2, 1, 2, 1]
