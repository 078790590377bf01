"""The OpenAI-compatible app: one Conductor, the whole pool behind it, as one model.

    app = create_app(ServerState(served, pool, client, key=..., limits=Limits()))

Endpoints: POST /v1/chat/completions and POST /v1/responses (streaming and not), GET /v1/models, GET /health.
Every request shares one pool client (its per-worker and pool-wide limits hold across requests) and one
batcher (plans asked for at about the same time are sampled together). A request's work runs as its own
task: a stream that loses its client cancels it. Errors have OpenAI's JSON shape (conductor.serve.api_errors).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.serve.answer import Answered, Served, answer
from conductor.serve.api_errors import ApiError, bad_request, not_found, unauthorized
from conductor.serve.auth import authorized
from conductor.serve.conversation import ConversationError, question_of
from conductor.serve.limits import Gate, Limits, check_messages, read_body
from conductor.serve.progress import StreamingProgress
from conductor.serve.report import extension
from conductor.serve.schemas import ChatRequest, ResponsesRequest
from conductor.serve.shapes import chat_completion, new_id, response_object
from conductor.serve.streaming import chat_stream, responses_stream

OWNER = "conductor"


@dataclass
class Counters:
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    timed_out: int = 0


@dataclass
class ServerState:
    """Everything the app serves with: built once at start (conductor.serve.server)."""

    served: Served
    pool: PoolSpec
    client: PoolClient
    key: str | None
    limits: Limits = field(default_factory=Limits)
    model_name: str = "conductor"
    rounds: int = 0
    max_rounds: int = 2
    fallback_worker: int | None = None
    counters: Counters = field(default_factory=Counters)
    gate: Gate = field(init=False)

    def __post_init__(self) -> None:
        self.gate = Gate(self.limits)

    @property
    def models(self) -> dict[str, int]:
        """Served model names -> the extra rounds each gives: `conductor` the server's default, and one per
        round setting (`conductor-r0` ... `conductor-r<max>`)."""
        names = {self.model_name: self.rounds}
        names.update({f"{self.model_name}-r{k}": k for k in range(self.max_rounds + 1)})
        return names


@dataclass(frozen=True)
class Prepared:
    model: str
    rounds: int
    question: str
    seed: int
    temperature: float | None
    stream: bool


def _first_error(e: ValidationError) -> tuple[str, str]:
    err = e.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    return loc, f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid"))


def create_app(state: ServerState) -> FastAPI:
    app = FastAPI(title="conductor", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.conductor = state

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "method_not_allowed" if exc.status_code == 405 else None
        return ApiError(exc.status_code, str(exc.detail), "invalid_request_error", code=code).response()

    def check_key(request: Request) -> None:
        if not authorized(state.key, request.headers.get("authorization")):
            raise unauthorized()

    async def prepare(request: Request, schema: type[BaseModel]) -> tuple[Any, Prepared]:
        check_key(request)
        raw = await read_body(request, state.limits.max_body_bytes)
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise bad_request(f"the body is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise bad_request("the body must be a JSON object")
        try:
            req = schema.model_validate(data)
        except ValidationError as e:
            param, message = _first_error(e)
            raise bad_request(message, param or None) from e
        refused = req.refused()  # type: ignore[attr-defined]
        if refused is not None:
            raise bad_request(refused[1], refused[0], "unsupported_parameter")
        rounds = state.models.get(req.model)  # type: ignore[attr-defined]
        if rounds is None:
            raise not_found(
                f"the model {req.model!r} does not exist; this server serves {sorted(state.models)}",  # type: ignore[attr-defined]
                code="model_not_found",
                param="model",
            )
        messages = req.messages  # type: ignore[attr-defined]
        check_messages(state.limits, messages)
        try:
            question = question_of(messages)
        except ConversationError as e:
            raise bad_request(str(e), "messages") from e
        seed = req.seed if req.seed is not None else random.randrange(2**31)  # type: ignore[attr-defined]
        return req, Prepared(req.model, rounds, question, seed, req.temperature, req.stream)  # type: ignore[attr-defined]

    def ext_of(a: Answered) -> dict[str, Any]:
        return extension(a, state.pool, state.served.checkpoint)

    def failure_body(outcome: BaseException | Answered) -> dict[str, Any]:
        return failure_error(outcome).body()

    def failure_error(outcome: BaseException | Answered) -> ApiError:
        if isinstance(outcome, Answered):
            state.counters.failed += 1
            return ApiError(
                502,
                f"no answer: {outcome.failure}",
                "server_error",
                code="worker_failed",
                extension=ext_of(outcome),
            )
        if isinstance(outcome, TimeoutError):
            state.counters.timed_out += 1
            return ApiError(
                504, f"the request ran past {state.limits.request_timeout_s:g} s", "server_error", code="timeout"
            )
        state.counters.failed += 1
        return ApiError(500, f"internal error: {type(outcome).__name__}", "server_error", code="internal_error")

    def start(p: Prepared, progress: StreamingProgress | None = None) -> asyncio.Task[Answered]:
        work = answer(
            state.served,
            p.question,
            state.pool,
            state.client,
            rounds=p.rounds,
            seed=p.seed,
            temperature=p.temperature,
            progress=progress,
            fallback_worker=state.fallback_worker,
        )
        return asyncio.create_task(asyncio.wait_for(work, state.limits.request_timeout_s))

    async def answered_or_raise(p: Prepared) -> Answered:
        state.gate.enter()
        task = start(p)
        try:
            a = await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()
            state.counters.cancelled += 1
            raise
        except Exception as e:  # noqa: BLE001 - a timeout or a bug, as an error response
            raise failure_error(e) from e
        finally:
            state.gate.leave()
        if not a.ok:
            raise failure_error(a)
        state.counters.completed += 1
        return a

    def streamed(p: Prepared, body: AsyncIterator[str], task: asyncio.Task[Answered]) -> StreamingResponse:
        async def guarded() -> AsyncIterator[str]:
            try:
                async for line in body:
                    yield line
                if task.done() and not task.cancelled() and task.exception() is None and task.result().ok:
                    state.counters.completed += 1
            finally:
                if not task.done():
                    task.cancel()
                    state.counters.cancelled += 1
                    try:
                        await task
                    except BaseException:  # noqa: BLE001 - the cancellation we asked for
                        pass
                state.gate.leave()

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(guarded(), media_type="text/event-stream", headers=headers)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "checkpoint": state.served.checkpoint,
            "pool": state.pool.label,
            "simulated": state.pool.simulated,
            "in_flight": state.gate.in_flight,
            "refused": state.gate.refused,
            **{k: v for k, v in vars(state.counters).items()},
            "batching": state.served.batcher.stats.as_dict(),
        }

    @app.get("/v1/models")
    async def models(request: Request) -> dict[str, Any]:
        check_key(request)
        data = [
            {"id": name, "object": "model", "created": 0, "owned_by": OWNER, "rounds": k, "pool": state.pool.label}
            for name, k in state.models.items()
        ]
        return {"object": "list", "data": data}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(request: Request) -> JSONResponse | StreamingResponse:
        req, p = await prepare(request, ChatRequest)
        if not p.stream:
            a = await answered_or_raise(p)
            return JSONResponse(chat_completion(new_id("chatcmpl"), p.model, a.answer, ext_of(a)))
        state.gate.enter()
        progress = StreamingProgress(p.seed, p.rounds)
        task = start(p, progress)
        body = chat_stream(task, progress, p.model, req.include_usage, ext_of, failure_body)
        return streamed(p, body, task)

    @app.post("/v1/responses", response_model=None)
    async def responses(request: Request) -> JSONResponse | StreamingResponse:
        _, p = await prepare(request, ResponsesRequest)
        if not p.stream:
            a = await answered_or_raise(p)
            created = int(time.time())
            obj = response_object(new_id("resp"), p.model, "completed", created, new_id("msg"), a.answer, ext_of(a))
            return JSONResponse(obj)
        state.gate.enter()
        progress = StreamingProgress(p.seed, p.rounds)
        task = start(p, progress)
        body = responses_stream(task, progress, p.model, ext_of, failure_body)
        return streamed(p, body, task)

    return app
