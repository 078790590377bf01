"""Fixtures for the workflow tests (helpers live in wf_helpers.py: a conftest is not importable by name)."""

from __future__ import annotations

import pytest
from wf_helpers import serve


@pytest.fixture(scope="module")
def sim():
    with serve() as server:
        yield server
