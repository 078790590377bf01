"""Fixtures for the simulated-pool tests: the shipped pool and one server on it, shared by the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from simkit import TASKS

from conductor.pool.spec import PoolSpec, load_pool
from conductor.sim.server import SimServer


@pytest.fixture(scope="session")
def pool() -> PoolSpec:
    return load_pool()


@pytest.fixture(scope="session")
def sim(pool: PoolSpec) -> Iterator[SimServer]:
    with SimServer(pool, TASKS, seed=7) as server:
        yield server
