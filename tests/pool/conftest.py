"""Fixtures for the pool tests (helpers live in pool_helpers.py: a conftest is not importable by name)."""

from __future__ import annotations

import pytest
from pool_helpers import serve


@pytest.fixture(scope="module")
def sim():
    with serve() as server:
        yield server
