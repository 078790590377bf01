"""A counting semaphore that hands free slots to the highest-priority waiter (FIFO among equals).

Why: with plain FIFO slots, a batch of workflows advances level by level (every first step, then every
second step ...), so the last levels run nearly alone and leave slots idle. Giving the slot to the call with
the longest chain of steps still waiting on it (the executor's `priority`) is classic critical-path list
scheduling: long chains start early and the short work fills the gaps at the end.
A released slot is handed straight to the next waiter, so nobody can jump the queue in between.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools


class PrioritySlots:
    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("need at least one slot")
        self._free = n
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def acquire(self, priority: int = 0) -> None:
        """Wait for a slot; higher `priority` is served first."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (-priority, next(self._seq), fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # the slot was handed over just as we were cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, fut = heapq.heappop(self._waiters)
            if not fut.done():
                fut.set_result(None)
                return
        self._free += 1

    @property
    def waiting(self) -> int:
        return sum(not f.done() for _, _, f in self._waiters)
