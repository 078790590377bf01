"""Helpers for the task tests (a conftest is not importable by name): fixture paths, small tasks."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conductor.tasks.schema import Task

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tasks"


def as_answer(program: str) -> str:
    """A response in the form the code questions ask for."""
    return f"<idea>Write it.</idea>\n<answer>\n```python\n{program}\n```\n</answer>"


def code_task(vd: dict, reference: str = "def f(x):\n    return x + 1\n") -> Task:
    key = hashlib.sha1(repr(sorted(vd.items())).encode()).hexdigest()[:8]
    return Task(
        id=f"t/code-{key}", source="t", domain="code", question="Write f.", answer=reference,
        verifier="code", verifier_data=vd,
    )  # fmt: skip


def function_task(test: str, entry_point: str = "f", **extra) -> Task:
    return code_task({"style": "function", "entry_point": entry_point, "test": test, **extra})


PLUS_ONE_TEST = "def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(-3) == -2\n"


def math_task(answer: str) -> Task:
    return Task(id=f"t/math-{answer}", source="t", domain="math", question="q", answer=answer, verifier="math")


def choice_task(answer: str = "B", choices: list[str] | None = None) -> Task:
    return Task(
        id="t/choice", source="t", domain="science", question="q", answer=answer, verifier="choice",
        verifier_data={"choices": choices or ["London", "Paris", "Rome", "Oslo"]},
    )  # fmt: skip
