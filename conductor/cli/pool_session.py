"""A pool ready to call from a CLI command: a simulated pool is started on 127.0.0.1 for the command's life."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from conductor.config import Paths
from conductor.pool.spec import PoolSpec
from conductor.sim.server import SimServer
from conductor.tasks.io import read_tasks
from conductor.tasks.schema import Task


def known_tasks(paths: Paths) -> list[Task]:
    files = sorted(paths.tasks.glob("*.parquet")) if paths.tasks.exists() else []
    tasks: list[Task] = []
    for f in files:
        tasks.extend(read_tasks(f))
    return tasks


@contextmanager
def pool_session(pool: PoolSpec, seed: int = 0) -> Iterator[PoolSpec]:
    if not pool.simulated:
        yield pool
        return
    tasks = known_tasks(Paths())
    if not tasks:
        print(
            "note: no prepared tasks (run `conductor prepare`): the SIMULATED pool will not know the answer",
            file=sys.stderr,
        )
    with SimServer(pool, tasks, seed=seed) as server:
        print(f"pool: {pool.label} at {server.url}", file=sys.stderr)
        yield server.pool
