"""The async client for worker calls: limits, retries, usage, cost, cache and budget in one place.

    client = PoolClient(pool, cache=CallCache(".conductor/cache/calls.sqlite"), budget=Budget(max_usd=5))
    result = await client.call(2, messages, seed=7)      # a CallResult; never raises for a worker fault

Why it is built this way:
  - Always `openai.AsyncOpenAI` (one per base_url and key, reused), so the simulated pool and a real provider
    go through the same code. The SDK's own retries are off: retries here are counted and recorded.
  - Concurrency is bounded per worker (`WorkerSpec.max_concurrency`) and across the pool
    (`PoolSpec.max_concurrency`). A slot is held only while a request is on the wire, never while backing off,
    and the worker slot is taken before the global one so that a busy worker does not hold global slots.
    Waiting calls are served by priority (slots.py), so the executor can run critical paths first.
  - Retried within `RetryPolicy.max_attempts`: timeouts, connection errors, 5xx, 429, an empty answer and a
    truncated one (finish_reason "length"). Backoff is exponential with jitter; a 429's `Retry-After`
    (or `retry-after-ms`) is honoured as a minimum wait. Other 4xx (bad request, unknown model, auth) are not
    retried: repeating them cannot help. When attempts run out, `error` says why ("timeout after 3 attempts")
    and `retries` lists every failed attempt.
  - API keys come from `WorkerSpec.api_key()` (the environment) and are never logged or stored.
  - The only exception `call` raises is `BudgetExceeded` (a refusal, not a fault).
Asyncio objects are bound to an event loop, so limits and SDK clients are kept per running loop (use one
loop per run: two loops sharing a client each get the full limits).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import openai
from pydantic import BaseModel, Field

from conductor.pool.budget import Budget, BudgetExceeded
from conductor.pool.cache import CachedAnswer, CallCache, cache_key
from conductor.pool.slots import PrioritySlots
from conductor.pool.spec import PoolSpec, WorkerSpec

__all__ = ["BudgetExceeded", "CallResult", "PoolClient", "RetryPolicy"]


class CallResult(BaseModel):
    """One worker call as it ended: the answer or why there is none, with usage, cost and timing."""

    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = Field(default=0.0, description="Wall time of the call, retries and backoff included.")
    started_at: float = Field(default=0.0, description="Unix time the call started.")
    ended_at: float = Field(default=0.0, description="Unix time the call ended.")
    attempts: int = Field(default=0, description="HTTP requests made (0 for a cache hit).")
    cached: bool = False
    error: str | None = Field(default=None, description="Why there is no usable answer after the retries.")
    finish_reason: str | None = None
    retries: list[str] = Field(default_factory=list, description="Why each failed attempt failed.")

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a call tries. Delays in seconds; attempt k waits about base * 2**(k-1), capped, with jitter."""

    max_attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    max_retry_after_s: float = 60.0
    retry_empty: bool = True
    retry_truncated: bool = True

    def backoff(self, attempt: int, rng: random.Random) -> float:
        d = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return d / 2 + rng.uniform(0, d / 2)


@dataclass
class _Fault:
    kind: str  # short name used in the final error
    detail: str
    retry: bool = True
    wait_s: float | None = None  # a server-requested minimum wait (Retry-After)


@dataclass
class _LoopState:
    clients: dict[tuple[str, str], openai.AsyncOpenAI] = field(default_factory=dict)
    worker_slots: dict[int, PrioritySlots] = field(default_factory=dict)
    global_slots: PrioritySlots | None = None


@contextlib.asynccontextmanager
async def _held(worker_slots: PrioritySlots, global_slots: PrioritySlots | None, priority: int) -> AsyncIterator[None]:
    """A worker slot, then a global one; both released however the request ends."""
    assert global_slots is not None
    await worker_slots.acquire(priority)
    try:
        await global_slots.acquire(priority)
        try:
            yield
        finally:
            global_slots.release()
    finally:
        worker_slots.release()


def _retry_after(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date); None if absent or unreadable."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _classify(exc: BaseException) -> _Fault:
    if isinstance(exc, openai.APITimeoutError):
        return _Fault("timeout", "timeout")
    if isinstance(exc, openai.APIConnectionError):
        return _Fault("connection error", f"connection error: {exc}")
    if isinstance(exc, openai.RateLimitError):
        return _Fault("rate limited (429)", "rate limited (429)", wait_s=_retry_after(exc.response.headers))
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code >= 500:
            return _Fault(f"server error ({code})", f"server error ({code})")
        return _Fault(f"HTTP {code}", f"HTTP {code}: {str(exc)[:200]}", retry=False)
    return _Fault("unexpected error", f"unexpected error: {type(exc).__name__}: {str(exc)[:200]}", retry=False)


class PoolClient:
    """Calls the pool's workers. Share one per run: its limits are the run's limits."""

    def __init__(
        self,
        pool: PoolSpec,
        cache: CallCache | None = None,
        budget: Budget | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.pool = pool
        self.cache = cache
        self.budget = budget
        self.retry = retry or RetryPolicy()
        self._keys = {w.id: w.api_key() for w in pool.workers}  # fail fast on a missing key; never logged
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = weakref.WeakKeyDictionary()
        self._rng = random.Random()

    # -- per-loop state -----------------------------------------------------------------------------------

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:  # freed with its loop
            state = _LoopState(global_slots=PrioritySlots(self.pool.max_concurrency))
            state.worker_slots = {w.id: PrioritySlots(w.max_concurrency) for w in self.pool.workers}
            self._states[loop] = state
        return state

    def _sdk(self, state: _LoopState, worker: WorkerSpec) -> openai.AsyncOpenAI:
        key = (worker.base_url or "", self._keys[worker.id])
        sdk = state.clients.get(key)
        if sdk is None:
            sdk = openai.AsyncOpenAI(base_url=worker.base_url, api_key=key[1], max_retries=0)
            state.clients[key] = sdk
        return sdk

    async def aclose(self) -> None:
        """Close the HTTP clients of the current loop (optional: they are also freed with the loop)."""
        state = self._states.pop(asyncio.get_running_loop(), None)
        if state:
            for sdk in state.clients.values():
                await sdk.close()

    # -- one call -----------------------------------------------------------------------------------------

    async def call(
        self, worker_id: int, messages: list[dict[str, str]], seed: int | None = None, priority: int = 0
    ) -> CallResult:
        """One chat completion from worker `worker_id`, retried within the policy. Never raises for a fault.

        priority: when calls queue for a slot, higher goes first (the executor passes the length of the chain
        of steps still waiting on this one). It changes the order of calls, never their answers."""
        started, t0 = time.time(), time.perf_counter()

        def done(**kw: Any) -> CallResult:
            return CallResult(started_at=started, ended_at=time.time(), latency_s=time.perf_counter() - t0, **kw)

        try:
            worker = self.pool.worker(worker_id)
        except KeyError:
            return done(error=f"worker {worker_id} is not in the pool ({self.pool.name})")
        key = None
        if self.cache is not None:
            key = cache_key(
                worker.model, worker.base_url, messages, worker.temperature, worker.max_tokens, seed, worker.extra_body
            )
            hit = self.cache.get(key)
            if hit is not None:
                return done(
                    text=hit.text,
                    prompt_tokens=hit.prompt_tokens,
                    completion_tokens=hit.completion_tokens,
                    finish_reason=hit.finish_reason,
                    cached=True,
                )
        if self.budget is not None:
            self.budget.reserve()  # raises BudgetExceeded: the caller stops starting new work

        state = self._state()
        retries: list[str] = []
        usage = [0, 0]
        last_text, last_finish, fault = "", None, _Fault("no attempt", "no attempt")
        attempts = 0
        for attempt in range(1, self.retry.max_attempts + 1):
            attempts = attempt
            async with _held(state.worker_slots[worker.id], state.global_slots, priority):
                try:
                    resp = await self._sdk(state, worker).chat.completions.create(
                        model=worker.model,
                        messages=messages,  # type: ignore[arg-type]
                        temperature=worker.temperature,
                        max_tokens=worker.max_tokens,
                        seed=seed if seed is not None else openai.omit,
                        extra_body=worker.extra_body or None,
                        timeout=worker.timeout_s,
                    )
                    outcome: _Fault | None = None
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - every fault becomes a recorded reason
                    resp, outcome = None, _classify(exc)
            if resp is not None:
                u = resp.usage
                p, c = (u.prompt_tokens or 0, u.completion_tokens or 0) if u is not None else (0, 0)
                usage[0] += p
                usage[1] += c
                choice = resp.choices[0] if resp.choices else None
                last_text = (choice.message.content or "") if choice is not None else ""
                last_finish = choice.finish_reason if choice is not None else None
                if not last_text.strip():
                    outcome = _Fault("empty answer", "empty answer", retry=self.retry.retry_empty)
                elif last_finish == "length":
                    outcome = _Fault(
                        "truncated answer", "truncated answer (finish_reason length)", retry=self.retry.retry_truncated
                    )
                else:
                    cost = worker.cost(usage[0], usage[1])
                    if self.budget is not None:
                        self.budget.charge(cost)
                    if self.cache is not None and key is not None:
                        self.cache.put(
                            key,
                            worker.model,
                            CachedAnswer(
                                text=last_text, prompt_tokens=p, completion_tokens=c, finish_reason=last_finish
                            ),
                        )
                    return done(
                        text=last_text,
                        prompt_tokens=usage[0],
                        completion_tokens=usage[1],
                        cost_usd=cost,
                        attempts=attempt,
                        finish_reason=last_finish,
                        retries=retries,
                    )
            assert outcome is not None
            fault = outcome
            if not fault.retry or attempt == self.retry.max_attempts:
                retries.append(fault.detail)
                break
            wait = self.retry.backoff(attempt, self._rng)
            if fault.wait_s is not None:
                wait = max(wait, min(fault.wait_s, self.retry.max_retry_after_s))
            retries.append(f"{fault.detail}; retried after {wait:.2f} s")
            await asyncio.sleep(wait)
        cost = worker.cost(usage[0], usage[1])
        if self.budget is not None:
            self.budget.charge(cost)
        n = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        return done(
            text=last_text,
            prompt_tokens=usage[0],
            completion_tokens=usage[1],
            cost_usd=cost,
            attempts=attempts,
            finish_reason=last_finish,
            error=f"{fault.kind} after {n}" if fault.retry else f"{fault.detail} (not retried)",
            retries=retries,
        )
