"""One `conductor serve` per module, as a real subprocess on 127.0.0.1, in front of the SIMULATED pool.

The pool runs in this process (a SimServer thread) behind `Switch`, an ASGI wrapper the tests flip: "ok"
passes requests through, "down" answers every worker call with HTTP 500 (a worker that is down), and a closed
gate holds worker calls until it opens (to fill the server, or to disconnect in the middle of a workflow),
counting the held calls whose client went away. `pass_before_hold` lets that many calls through a closed gate
first (a worker that stops answering in the middle of a workflow); `trickle` answers 200 and then sends a
space every 50 ms until the client goes (a worker that is alive but slower than any time limit: the client's
per-read timeout never fires). The server is the warm-started tiny Conductor of the session
(tests/conftest.py), prompted with the settings it was built with.

`served` is the module's server with generous limits; `strict` a second one with a short time per request
(STRICT_TIMEOUT_S) and worker calls that time out after WORKER_TIMEOUT_S (the time-limit tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from serve_kit import KEY, STRICT_TIMEOUT_S, WORKER_TIMEOUT_S
from tiny_kit import WARM_SETTINGS

from conductor.pool.spec import PoolSpec, load_pool
from conductor.sim.server import SimServer
from conductor.tasks.io import read_tasks

LIMITS = ["--max-concurrent", "4", "--max-body-bytes", "50000", "--max-messages", "8", "--request-timeout-s", "60"]


class Switch:
    """ASGI wrapper of the simulated pool: see the module doc."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.down = False
        self.gate = threading.Event()
        self.gate.set()
        self.held = 0
        self.aborted = 0
        self.pass_before_hold = 0
        self.trickle = False

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/chat/completions":
            await self.app(scope, receive, send)
            return
        if self.down:
            body = json.dumps({"error": {"message": "down", "type": "server_error", "param": None, "code": None}})
            await send(
                {"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": body.encode()})
            return
        if self.trickle:
            await self._trickle(receive, send)
            return
        if not self.gate.is_set() and self.pass_before_hold > 0:
            self.pass_before_hold -= 1
        elif not self.gate.is_set():
            messages = [await receive()]
            while messages[-1].get("more_body"):
                messages.append(await receive())
            self.held += 1
            pending = asyncio.ensure_future(receive())
            try:
                while not self.gate.is_set():
                    done, _ = await asyncio.wait({pending}, timeout=0.02)
                    if done and pending.result()["type"] == "http.disconnect":
                        self.aborted += 1
                        return
            finally:
                self.held -= 1
            if not pending.done():
                pending.cancel()
            replay = iter(messages)

            async def again() -> dict:
                return next(replay, None) or await receive()

            await self.app(scope, again, send)
            return
        await self.app(scope, receive, send)

    async def _trickle(self, receive: Any, send: Any) -> None:
        message = await receive()
        while message.get("more_body"):
            message = await receive()
        self.held += 1
        pending = asyncio.ensure_future(receive())
        try:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            while self.trickle:
                done, _ = await asyncio.wait({pending}, timeout=0.05)
                if done and pending.result()["type"] == "http.disconnect":
                    self.aborted += 1
                    return
                await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await send({"type": "http.response.body", "body": b"{}"})  # released: not a usable answer
        except OSError:
            self.aborted += 1
        finally:
            self.held -= 1
            if not pending.done():
                pending.cancel()


class Served:
    """The started server. It loads in the background: `url` waits until it listens, so a test can do its own
    work (loading the same checkpoint in this process) while the server starts."""

    def __init__(self, proc: subprocess.Popen, switch: Switch, pool: PoolSpec, checkpoint: str, tasks: list) -> None:
        self.proc = proc
        self.switch = switch
        self.pool = pool  # wired to the simulated pool
        self.checkpoint = checkpoint
        self.overrides = list(WARM_SETTINGS)
        self.tasks = tasks  # prepared test tasks the simulated pool knows
        self._root: str | None = None
        self.lines: list[str] = []

    @property
    def root(self) -> str:
        if self._root is None:
            assert self.proc.stdout is not None
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                if not line:
                    break
                self.lines.append(line)
                if line.startswith("listening on "):
                    self._root = line.split()[-1]
                    threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # keep draining it
                    break
            if self._root is None:
                raise RuntimeError("conductor serve did not start:\n" + "".join(self.lines))
        return self._root

    @property
    def url(self) -> str:
        """The OpenAI base URL (ends in /v1)."""
        return f"{self.root}/v1"

    def health(self) -> dict:
        with urllib.request.urlopen(f"{self.root}/health", timeout=5) as r:
            return json.loads(r.read())


def _tasks(home: Path) -> list:
    out = []
    for source in ("mmlu", "jee-math"):
        out += [t for t in read_tasks(home / "tasks" / f"{source}.parquet") if t.split == "test"][:3]
    return out


@contextlib.contextmanager
def _serve(
    home: Path, checkpoint: str, folder: Path, limits: list[str], worker_timeout_s: float | None
) -> Iterator[Served]:
    """`conductor serve` in front of a fresh simulated pool behind a Switch, stopped at the end."""
    tasks = _tasks(home)
    sim = SimServer(load_pool(), tasks, seed=0)
    switch = Switch(sim.app)
    sim.app = switch
    with sim:
        pool = sim.pool
        if worker_timeout_s is not None:
            workers = tuple(w.model_copy(update={"timeout_s": worker_timeout_s}) for w in pool.workers)
            pool = pool.model_copy(update={"workers": workers})
        pool_file = folder / "pool.yaml"
        pool_file.write_text(yaml.safe_dump(pool.model_dump(mode="json"), sort_keys=False))
        overrides = [a for s in WARM_SETTINGS for a in ("--set", s)]
        env = {**os.environ, "CONDUCTOR_API_KEY": KEY, "CONDUCTOR_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "conductor.cli", "serve", "--checkpoint", checkpoint, "--pool", str(pool_file)]
        cmd += ["--port", "0", *overrides, *limits]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        server = Served(proc, switch, pool, checkpoint, tasks)
        try:
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        assert "SIMULATED" in "".join(server.lines)


@pytest.fixture(scope="module")
def served(warm_home, warm_checkpoint, tmp_path_factory) -> Iterator[Served]:
    with _serve(warm_home.home, warm_checkpoint, tmp_path_factory.mktemp("serve"), LIMITS, None) as server:
        yield server


@pytest.fixture(scope="module")
def strict(warm_home, warm_checkpoint, tmp_path_factory) -> Iterator[Served]:
    limits = [*LIMITS[:-1], str(STRICT_TIMEOUT_S)]
    folder = tmp_path_factory.mktemp("serve-strict")
    with _serve(warm_home.home, warm_checkpoint, folder, limits, WORKER_TIMEOUT_S) as server:
        yield server
