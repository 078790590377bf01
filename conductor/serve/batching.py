"""The Conductor's generation shared by concurrent requests: plans asked for within a short window are
sampled by one `Policy.generate` call.

    batcher = Batcher(policy, window_s=0.01, max_batch=64)
    sampled = await batcher.generate(prompt_text, temperature=0.2, max_new_tokens=160, seed=7)
    sampled.generation.text, sampled.batch_size, sampled.generate_s

Why: on a CPU or a GPU one batched `generate` over 32 prompts costs little more than one over a single
prompt, and a server's requests arrive together. Generation runs in the batcher's own thread (one call at a
time; torch's per-thread state stays in one place, and the loop's default executor stays free for the
rest), so the event loop keeps serving (streams, worker calls) while the model works. What arrives while
it works is the next batch, started as soon as the previous one ends: the requests the finished batch
answered run first, so a sample that did not parse asks again in time to join it (rather than waiting a
whole further batch). Prompts with different temperatures or token limits are sampled in separate calls.

Seeds. A batch of one is sampled with its own seed, exactly as `Policy.generate` would sample it alone (so
`conductor ask` and a lone request are reproducible). A batch of several is sampled with a seed derived from
all of theirs: each sample is then a valid draw at its temperature, but depends on what it was batched with
(as with any batching server; OpenAI calls its `seed` best-effort too). `max_batch=1` turns batching off.
"""

from __future__ import annotations

import asyncio
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from conductor.policy.generation import Generation
from conductor.policy.model import Policy
from conductor.seeds import derive


@dataclass
class _Pending:
    prompt: str
    temperature: float
    max_new_tokens: int
    seed: int
    future: asyncio.Future[Sampled]


@dataclass(frozen=True)
class Sampled:
    """One sample, with the size and duration of the `generate` call it came from (a request's own share of
    the Conductor's time: what it waited for the model, not counting the queue)."""

    generation: Generation
    batch_size: int
    generate_s: float


@dataclass
class BatchStats:
    """What the batcher has done so far (the benchmark and /health read it)."""

    batches: int = 0
    prompts: int = 0
    largest: int = 0
    generate_s: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        mean = self.prompts / self.batches if self.batches else 0.0
        return {
            "batches": self.batches,
            "prompts": self.prompts,
            "largest": self.largest,
            "mean_size": round(mean, 2),
            "generate_s": round(self.generate_s, 3),
        }


class Batcher:
    """Gathers concurrent generation requests into batched `Policy.generate` calls (see the module doc)."""

    def __init__(self, policy: Policy, window_s: float = 0.01, max_batch: int = 64) -> None:
        self.policy = policy
        self.window_s = max(0.0, window_s)
        self.max_batch = max(1, max_batch)
        self.stats = BatchStats()
        self._queue: list[_Pending] = []
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None  # made on the first batch, shut by aclose

    async def generate(self, prompt: str, temperature: float, max_new_tokens: int, seed: int) -> Sampled:
        """One sample for `prompt`, generated with whatever else is asked for at about the same time."""
        loop = asyncio.get_running_loop()
        if self._runner is None or self._runner.done() or self._runner.get_loop() is not loop:
            self._wake = asyncio.Event()
            self._runner = loop.create_task(self._run(), name="conductor-batcher")
        future: asyncio.Future[Sampled] = loop.create_future()
        self._queue.append(_Pending(prompt, temperature, max_new_tokens, seed, future))
        assert self._wake is not None
        self._wake.set()
        return await future

    async def aclose(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            try:
                await self._runner
            except asyncio.CancelledError:
                pass
            self._runner = None
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)
            self._thread = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.window_s > 0 and len(self._queue) < self.max_batch:
                await asyncio.sleep(self.window_s)
            while self._queue:
                live = [p for p in self._queue if not p.future.done()]  # cancelled requests drop out here
                batch, self._queue = live[: self.max_batch], live[self.max_batch :]
                if batch:
                    await self._generate(batch)
                    await asyncio.sleep(0)  # the answered requests run now: a re-ask joins the next batch
            self._wake.clear()  # all that woke it has been served (no window's wait for nothing)

    async def _generate(self, batch: list[_Pending]) -> None:
        groups: dict[tuple[float, int], list[_Pending]] = {}
        for p in batch:
            groups.setdefault((p.temperature, p.max_new_tokens), []).append(p)
        for (temperature, max_new), members in groups.items():
            seed = members[0].seed if len(members) == 1 else derive("serve-batch", *(m.seed for m in members))
            t0 = time.perf_counter()
            try:
                sample = functools.partial(
                    self.policy.generate,
                    [m.prompt for m in members],
                    n=1,
                    temperature=temperature,
                    max_new_tokens=max_new,
                    seed=seed,
                )
                if self._thread is None:
                    self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conductor-generate")
                gens = await asyncio.get_running_loop().run_in_executor(self._thread, sample)
            except Exception as e:  # noqa: BLE001 - every waiting request gets the error, the batcher lives on
                for m in members:
                    if not m.future.done():
                        m.future.set_exception(e)
                continue
            finally:
                took = time.perf_counter() - t0
                self.stats.generate_s += took
            self.stats.batches += 1
            self.stats.prompts += len(members)
            self.stats.largest = max(self.stats.largest, len(members))
            for m, g in zip(members, gens, strict=True):
                if not m.future.done():
                    m.future.set_result(Sampled(g[0], len(members), took))
