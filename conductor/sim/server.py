"""The simulated pool as an OpenAI-compatible HTTP server on 127.0.0.1 (SIMULATED: no real model answers).

Endpoints: POST /v1/chat/completions (also `stream: true`: the same reply as server-sent chunks, a word at a
time, so a streaming client sees the answer arrive), GET /v1/models (each model marked "simulated": true, owned by
"conductor-sim"), GET /health. Every response carries `X-Conductor-Simulated: true`. The executor talks
to it exactly as to a real provider (the openai client over HTTP), so everything above the transport is
exercised for real. Latency is asyncio.sleep, so one process serves many concurrent requests.

    with SimServer(load_pool(), tasks, seed=0) as sim:
        client = PoolClient(sim.pool)          # every worker's base_url is sim.url

    python -m conductor.sim.server --tasks .conductor/tasks --port 8000   # what `conductor pool serve` runs
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import socket
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from conductor.pool.spec import PoolSpec, WorkerSpec, load_pool
from conductor.sim.behaviour import Draw
from conductor.sim.faults import FaultConfig
from conductor.sim.request import parse_worker_request
from conductor.sim.responder import respond
from conductor.sim.taskbook import TaskBook, load_tasks
from conductor.tasks.schema import Task

SIM_HEADER = (b"x-conductor-simulated", b"true")
OWNER = "conductor-sim"
_MAX_REMEMBERED = 200_000  # inputs whose attempt count is kept for per-attempt faults


class _LabelSimulated:
    """ASGI middleware: every HTTP response says it is simulated (plain ASGI, so disconnects still reach us)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def labelled(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), SIM_HEADER]}
            await send(message)

        await self.app(scope, receive, labelled)


def _error(status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
    return JSONResponse(body, status_code=status, headers=headers)


def _sim_workers(pool: PoolSpec) -> dict[str, WorkerSpec]:
    by_model: dict[str, WorkerSpec] = {}
    for w in pool.workers:
        if w.sim is None:
            continue
        if w.model in by_model:
            raise ValueError(f"workers {by_model[w.model].id} and {w.id} share model name {w.model!r}")
        by_model[w.model] = w
    if not by_model:
        raise ValueError(f"pool {pool.name!r} has no simulated workers (no `sim:` profiles)")
    return by_model


def create_app(
    pool: PoolSpec,
    tasks: Iterable[Task] | str | Path,
    seed: int = 0,
    faults: FaultConfig | None = None,
    extra_latency_s: float = 0.0,
) -> FastAPI:
    """The server's app. `tasks` is what the pool knows (a list of Task, or a Parquet file/folder)."""
    book = TaskBook(load_tasks(tasks))
    workers = _sim_workers(pool)
    faults = faults or FaultConfig()
    attempts: OrderedDict[str, int] = OrderedDict()
    app = FastAPI(title=f"conductor simulated pool: {pool.label}", version="1")
    app.state.book = book

    def attempt_of(key: str) -> int:
        if not faults.per_attempt:
            return 0
        n = attempts.pop(key, 0)
        attempts[key] = n + 1
        if len(attempts) > _MAX_REMEMBERED:
            attempts.popitem(last=False)
        return n

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "simulated": True, "pool": pool.label, "tasks": len(book)}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        data = [
            {
                "id": w.model,
                "object": "model",
                "created": 0,
                "owned_by": OWNER,
                "simulated": True,
                "worker_id": w.id,
                "name": w.name,
            }
            for w in workers.values()
        ]
        return {"object": "list", "data": data}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(request: Request) -> JSONResponse | StreamingResponse:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "request body is not JSON", "invalid_request_error")
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            return _error(400, "'messages' must be a list of message objects", "invalid_request_error")
        model = body.get("model")
        worker = workers.get(model) if isinstance(model, str) else None
        if worker is None or worker.sim is None:
            return _error(404, f"model {model!r} is not in this simulated pool", "model_not_found")
        draw = Draw(seed, body.get("seed"), worker.model, messages)
        fault = faults.pick(draw.fault_u(attempt_of(draw.key))) if faults.total > 0 else None

        delay = worker.sim.latency_s + extra_latency_s
        if delay > 0:
            await asyncio.sleep(delay)
        if fault == "timeout":
            deadline = time.monotonic() + faults.hang_s
            while time.monotonic() < deadline:
                if await request.is_disconnected():
                    return _error(499, "client went away", "client_closed")
                await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        if fault == "rate_limit":
            wait = faults.retry_after_s
            headers = {"Retry-After": str(math.ceil(wait)), "retry-after-ms": str(int(wait * 1000))}
            return _error(429, "simulated rate limit", "rate_limit_exceeded", headers)
        if fault == "server_error":
            return _error(500, "simulated server error", "server_error")

        request_view = parse_worker_request(messages)
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
        temperature = body.get("temperature")
        # In a thread: a wrong code answer may run the sandbox (conductor.tasks.mutate) the first time.
        reply = await asyncio.to_thread(
            respond,
            worker.sim,
            book,
            request_view,
            messages,
            draw,
            fault if fault in ("empty", "garbage", "truncated") else None,
            max_tokens if isinstance(max_tokens, int) else None,
            pool.sim_model,
            temperature if isinstance(temperature, (int, float)) else None,
        )
        usage = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
        if body.get("stream"):
            options = body.get("stream_options")
            with_usage = isinstance(options, dict) and bool(options.get("include_usage"))
            chunks = _stream_chunks(f"chatcmpl-sim-{draw.key}", worker.model, reply.content, reply.finish_reason)
            return StreamingResponse(
                _sse(chunks, usage if with_usage else None, f"chatcmpl-sim-{draw.key}", worker.model),
                media_type="text/event-stream",
            )
        return JSONResponse(
            {
                "id": f"chatcmpl-sim-{draw.key}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": worker.model,
                "system_fingerprint": OWNER,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": reply.finish_reason,
                        "logprobs": None,
                    }
                ],
                "usage": usage,
            }
        )

    app.add_middleware(_LabelSimulated)
    return app


_STREAM_PIECE = re.compile(r"\S+\s*|\s+")
_STREAM_GAP_S = 0.002  # between chunks, so a streaming client sees the reply arrive in pieces


def _stream_chunks(cid: str, model: str, content: str, finish: str | None) -> list[dict[str, Any]]:
    """The reply as chat.completion.chunk objects: the role, then a word (with its trailing space) at a time."""

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": OWNER,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
        }

    pieces = _STREAM_PIECE.findall(content)
    return (
        [chunk({"role": "assistant", "content": ""})]
        + [chunk({"content": p}) for p in pieces]
        + [chunk({}, finish or "stop")]
    )


async def _sse(chunks: list[dict[str, Any]], usage: dict[str, int] | None, cid: str, model: str) -> Any:
    for c in chunks:
        yield f"data: {json.dumps(c)}\n\n"
        await asyncio.sleep(_STREAM_GAP_S)
    if usage is not None:
        tail = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        yield f"data: {json.dumps({**tail, 'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"


class SimServer:
    """Runs the simulated pool in a background thread on 127.0.0.1 (a free port) for tests and the demo."""

    def __init__(
        self,
        pool: PoolSpec,
        tasks: Iterable[Task] | str | Path,
        seed: int = 0,
        faults: FaultConfig | None = None,
        extra_latency_s: float = 0.0,
        host: str = "127.0.0.1",
        startup_timeout_s: float = 20.0,
    ) -> None:
        self._pool = pool
        self.app = create_app(pool, tasks, seed=seed, faults=faults, extra_latency_s=extra_latency_s)
        self.host = host
        self.startup_timeout_s = startup_timeout_s
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def root(self) -> str:
        if self.port is None:
            raise RuntimeError("SimServer is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The OpenAI base URL (ends in /v1)."""
        return f"{self.root}/v1"

    @property
    def pool(self) -> PoolSpec:
        """The pool with every worker's base_url pointing here."""
        return self._pool.with_base_url(self.url)

    def start(self) -> SimServer:
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets; without it keep-alive clients see 40 ms
        # Nagle / delayed-ACK stalls on every response.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self._sock, self.port = sock, sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"sim-pool-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                break
            try:
                with urllib.request.urlopen(f"{self.root}/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"simulated pool did not answer /health on {self.root}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    pool_path: str | Path | None,
    tasks_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    seed: int = 0,
    faults: FaultConfig | None = None,
    extra_latency_s: float = 0.0,
) -> None:
    """Serve the simulated pool until interrupted (`conductor pool serve`). pool_path None: the shipped pool."""
    app = create_app(load_pool(pool_path), tasks_path, seed=seed, faults=faults, extra_latency_s=extra_latency_s)
    uvicorn.run(app, host=host, port=port, log_level="info")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Serve the SIMULATED worker pool (OpenAI-compatible).")
    ap.add_argument("--pool", default=None, help="pool YAML (default: the shipped simulated pool)")
    ap.add_argument("--tasks", required=True, help="tasks Parquet file or folder")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extra-latency-s", type=float, default=0.0)
    args = ap.parse_args(argv)
    serve(args.pool, args.tasks, args.host, args.port, args.seed, extra_latency_s=args.extra_latency_s)


if __name__ == "__main__":
    main()
