"""Fixtures for the simulated-pool tests: the shipped pool (irt model) and one server on it, shared by the session;
the first simulator's pool (independent model) for the oracle's old figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from simkit import SCIENCE_AT_LEVEL, TASKS

from conductor.pool.spec import DEFAULT_SIM_POOL, PoolSpec, load_pool
from conductor.sim.server import SimServer


@pytest.fixture(scope="session")
def pool() -> PoolSpec:
    return load_pool()


@pytest.fixture(scope="session")
def sim(pool: PoolSpec) -> Iterator[SimServer]:
    with SimServer(pool, TASKS + SCIENCE_AT_LEVEL, seed=7) as server:
        yield server


@pytest.fixture(scope="session")
def independent_pool() -> PoolSpec:
    return load_pool(DEFAULT_SIM_POOL.parent / "independent_pool.yaml")
