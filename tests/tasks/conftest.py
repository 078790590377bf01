"""Fixtures for the task tests (helpers live in task_helpers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from task_helpers import PLUS_ONE_TEST, function_task

from conductor.tasks.schema import Task
from conductor.tasks.verify.isolation import INSTALL_HINT, isolation


@pytest.fixture
def plus_one_task() -> Task:
    return function_task(PLUS_ONE_TEST)


def require_isolation() -> None:
    """Fail (CI) or skip (CONDUCTOR_ALLOW_SANDBOX_FALLBACK=1, a developer machine) without OS isolation."""
    iso = isolation()
    if iso.active:
        return
    message = f"the code sandbox has no OS isolation here ({iso.detail}); {INSTALL_HINT}"
    if os.environ.get("CONDUCTOR_ALLOW_SANDBOX_FALLBACK") == "1":
        pytest.skip(message)
    pytest.fail(message + " (or set CONDUCTOR_ALLOW_SANDBOX_FALLBACK=1 to skip these tests)", pytrace=False)


@pytest.fixture(params=["bwrap", "fallback"])
def sandbox_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each sandbox mode in turn: bubblewrap (which must work here) and the old fallback."""
    monkeypatch.setenv("CONDUCTOR_SANDBOX", "auto" if request.param == "bwrap" else "fallback")
    isolation.cache_clear()
    if request.param == "bwrap":
        require_isolation()
    yield request.param
    monkeypatch.undo()
    isolation.cache_clear()
