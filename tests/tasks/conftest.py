"""Fixtures for the task tests (helpers live in task_helpers.py)."""

from __future__ import annotations

import pytest
from task_helpers import PLUS_ONE_TEST, function_task

from conductor.tasks.schema import Task


@pytest.fixture
def plus_one_task() -> Task:
    return function_task(PLUS_ONE_TEST)
