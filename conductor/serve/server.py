"""`conductor serve`: load the Conductor, wire the pool, check the key, and run the app under uvicorn.

    run_server(ServeOptions(checkpoint="latest", pool_file=None, host="127.0.0.1", port=8000))

A simulated pool whose workers have no base_url is started here, on 127.0.0.1, for the server's life (as
`conductor ask` does); a pool file whose workers point somewhere (a real provider, or a simulated pool
started elsewhere) is used as it is. The first lines printed say what was resolved: the checkpoint, the
pool (labelled SIMULATED when it is) and the address; `listening on http://HOST:PORT` is the last of them
(the port is the real one when --port 0 asks for a free port).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
import uvicorn

from conductor.config import Paths
from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec, load_pool
from conductor.serve.answer import load_served
from conductor.serve.app import ServerState, create_app
from conductor.serve.auth import DEFAULT_KEY_ENV, server_key
from conductor.serve.limits import Limits
from conductor.sim.server import SimServer
from conductor.tasks.io import read_tasks
from conductor.tasks.schema import Task


@dataclass(frozen=True)
class ServeOptions:
    checkpoint: str | None = None
    pool_file: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    rounds: int = 0
    max_rounds: int = 2
    api_key_env: str = DEFAULT_KEY_ENV
    no_auth: bool = False
    config_file: str | None = None
    overrides: tuple[str, ...] = ()
    batch_window_s: float = 0.01
    max_batch: int = 64
    fallback_worker: int | None = None
    model_name: str = "conductor"
    torch_threads: int | None = None
    limits: Limits = field(default_factory=Limits)


def _tasks(paths: Paths) -> list[Task]:
    files = sorted(paths.tasks.glob("*.parquet")) if paths.tasks.exists() else []
    return [t for f in files for t in read_tasks(f)]


@contextlib.contextmanager
def wired_pool(pool: PoolSpec, paths: Paths) -> Iterator[PoolSpec]:
    """The pool ready to call: a simulated pool with workers lacking a base_url is started here."""
    if not pool.simulated or all(w.base_url for w in pool.workers):
        yield pool
        return
    tasks = _tasks(paths)
    if not tasks:
        print("note: no prepared tasks (run `conductor prepare`): the SIMULATED pool will not know any answer")
    with SimServer(pool, tasks) as sim:
        print(f"started the SIMULATED pool at {sim.url}")
        yield sim.pool


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, as the sim's
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def generation_threads(requested: int | None) -> int:
    """Torch's threads for the Conductor's generation: `requested`, or by default torch's own number less one
    core left to the event loop (at least one). On 2 shared cores torch's default of 2 made a batched
    `generate` 3x slower under load than 1 thread did, fighting the loop that feeds it (docs/performance.md,
    "Serve")."""
    if requested:
        return requested
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(torch.get_num_threads(), cores - 1))


def run_server(opts: ServeOptions, paths: Paths | None = None) -> None:
    """Serve until interrupted. Raises AuthSetupError (no key), NotFoundError, PolicyLoadError, PoolSpecError."""
    paths = paths or Paths()
    key = server_key(opts.api_key_env, opts.no_auth, opts.host)
    threads = generation_threads(opts.torch_threads)
    torch.set_num_threads(threads)
    pool_spec = load_pool(opts.pool_file)
    served = load_served(
        paths,
        opts.checkpoint,
        config_file=opts.config_file,
        overrides=list(opts.overrides),
        batch_window_s=opts.batch_window_s,
        max_batch=opts.max_batch,
    )
    print(f"checkpoint: {served.checkpoint}")
    print(f"generation: batches of up to {opts.max_batch}, {threads} torch thread(s)")
    print(f"pool: {pool_spec.label}, workers {list(pool_spec.ids)}")
    print("auth: " + ("none (--no-auth, loopback only)" if key is None else f"API key from ${opts.api_key_env}"))
    with wired_pool(pool_spec, paths) as pool:
        state = ServerState(
            served=served,
            pool=pool,
            client=PoolClient(pool),
            key=key,
            limits=opts.limits,
            model_name=opts.model_name,
            rounds=opts.rounds,
            max_rounds=max(opts.max_rounds, opts.rounds),
            fallback_worker=opts.fallback_worker,
        )
        app = create_app(state)
        sock = _socket(opts.host, opts.port)
        host, port = sock.getsockname()[:2]
        print(f"models: {', '.join(state.models)}")
        print(f"listening on http://{host}:{port}", flush=True)
        config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2)
        try:
            asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
        finally:
            sock.close()
            sys.stdout.flush()
