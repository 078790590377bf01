"""The evaluation tests' one started server: the SIMULATED pool over HTTP on 127.0.0.1, for the module."""

from __future__ import annotations

import pytest
from sim_support import arithmetic_tasks, serve

TASKS = arithmetic_tasks("eval", "What is {i} + {i}?", lambda i: 2 * i, range(6))


@pytest.fixture(scope="session")
def eval_server():
    with serve(TASKS) as server:
        yield server
