"""One request's view of the server's shared pool client: the same limits, plus progress and streaming.

The server keeps one `PoolClient` for all requests, so per-worker and pool-wide concurrency limits (and the
SDK's connections) hold across requests. Each request gets a `RequestClient`: a PoolClient that shares the
shared client's per-loop state (slots, SDK clients), its budget and cache, and differs in two ways:

  - every call that ends is reported to the request's Progress (a step finished: a progress chunk);
  - the call Progress names as the final step of the last round is made with `stream=True`, and each piece
    of text goes to Progress as it arrives (the streamed answer). A worker that cannot stream (an error
    before any text) is called again the ordinary way, with the shared client's retries, and its whole text
    is passed on at once (with a budget, that call is counted twice). A stream that breaks after some text
    is a failed step: text already shown cannot be taken back by a retry that might differ.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import openai

from conductor.pool.client import CallResult, PoolClient, _classify, _held
from conductor.serve.progress import Delta, Progress


class RequestClient(PoolClient):
    """A per-request PoolClient sharing `shared`'s limits and connections (see the module doc)."""

    def __init__(self, shared: PoolClient, progress: Progress) -> None:  # noqa: D107 - shares, not builds
        self.__dict__.update(shared.__dict__)  # the same slots, SDK clients, keys, budget and cache objects
        self._shared = shared
        self.progress = progress

    async def aclose(self) -> None:
        """Nothing to close: the connections are the shared client's."""

    async def call(
        self, worker_id: int, messages: list[dict[str, str]], seed: int | None = None, priority: int = 0
    ) -> CallResult:
        target = self.progress.stream_target(seed)
        if target is None:
            result = await self._shared.call(worker_id, messages, seed=seed, priority=priority)
        else:
            result = await self._streamed(worker_id, messages, seed, priority, target)
        self.progress.finished(worker_id, seed, result)
        return result

    async def _streamed(
        self, worker_id: int, messages: list[dict[str, str]], seed: int | None, priority: int, on_text: Delta
    ) -> CallResult:
        started, t0 = time.time(), time.perf_counter()
        try:
            worker = self.pool.worker(worker_id)
        except KeyError:
            return await self._shared.call(worker_id, messages, seed=seed, priority=priority)
        if self.budget is not None:
            self.budget.reserve()
        state = self._state()
        parts: list[str] = []
        usage: Any = None
        finish: str | None = None
        try:
            async with _held(state.worker_slots[worker.id], state.global_slots, priority):
                stream = await self._sdk(state, worker).chat.completions.create(  # type: ignore[call-overload]
                    model=worker.model,
                    messages=messages,
                    temperature=worker.temperature,
                    max_tokens=worker.max_tokens,
                    seed=seed if seed is not None else openai.omit,
                    extra_body=worker.extra_body or None,
                    timeout=worker.timeout_s,
                    stream=True,
                    stream_options={"include_usage": True},
                )
                async for chunk in stream:
                    if chunk.usage is not None:
                        usage = chunk.usage
                    for choice in chunk.choices:
                        if choice.delta is not None and choice.delta.content:
                            parts.append(choice.delta.content)
                            on_text(choice.delta.content)
                        if choice.finish_reason:
                            finish = choice.finish_reason
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified like the shared client's faults
            if not parts:
                result = await self._shared.call(worker_id, messages, seed=seed, priority=priority)
                if result.ok:
                    on_text(result.text)
                return result
            fault = _classify(exc)
            return CallResult(
                text="".join(parts),
                started_at=started,
                ended_at=time.time(),
                latency_s=time.perf_counter() - t0,
                attempts=1,
                error=f"stream broke after {len(parts)} pieces: {fault.detail}",
                retries=[fault.detail],
            )
        text = "".join(parts)
        p = (usage.prompt_tokens or 0) if usage is not None else 0
        c = (usage.completion_tokens or 0) if usage is not None else 0
        cost = worker.cost(p, c)
        if self.budget is not None:
            self.budget.charge(cost)
        error = None if text.strip() else "empty answer (streamed)"
        return CallResult(
            text=text,
            prompt_tokens=p,
            completion_tokens=c,
            cost_usd=cost,
            latency_s=time.perf_counter() - t0,
            started_at=started,
            ended_at=time.time(),
            attempts=1,
            finish_reason=finish,
            error=error,
        )
