from __future__ import annotations

import pytest
from task_helpers import PLUS_ONE_TEST, as_answer, code_task, function_task, math_task

from conductor.tasks.mutate import wrong_program
from conductor.tasks.verify import verify


def test_wrong_program_fails_and_stays_plausible() -> None:
    reference = "def f(x):\n    if x > 0:\n        return x + 1\n    return x + 1\n"
    task = function_task(PLUS_ONE_TEST).model_copy(update={"answer": reference})
    assert verify(task, as_answer(reference)).correct
    wrong = wrong_program(task, 0)
    assert wrong != reference and "def f(x)" in wrong
    assert not verify(task, as_answer(wrong)).correct
    assert wrong_program(task, 0) == wrong  # deterministic (and cached)


def test_variants_differ_when_the_function_allows() -> None:
    reference = (
        "def g(xs):\n    total = 0\n    for x in xs:\n        if x % 2 == 0 and x > 1:\n"
        "            total += x * 3\n    return total - 1\n"
    )
    test = "def check(candidate):\n    assert candidate([2, 3, 4, 5]) == 17\n    assert candidate([]) == -1\n"
    task = function_task(test, entry_point="g").model_copy(update={"answer": reference})
    assert verify(task, as_answer(reference)).correct
    variants = {wrong_program(task, v) for v in range(4)}
    assert len(variants) >= 2
    assert not any(verify(task, as_answer(w)).correct for w in variants)


def test_falls_back_to_a_wrong_constant() -> None:
    """No single mutation can fail a test that accepts anything but None; the fallback still fails."""
    reference = "def h():\n    return 'x'\n"
    task = function_task("def check(candidate):\n    assert candidate() is not None\n", entry_point="h").model_copy(
        update={"answer": reference}
    )
    wrong = wrong_program(task, 0)
    assert not verify(task, as_answer(wrong)).correct


def test_non_code_tasks_are_refused() -> None:
    with pytest.raises(ValueError):
        wrong_program(math_task("3"), 0)
    with pytest.raises(ValueError):
        wrong_program(code_task({"style": "stdio", "tests": []}, reference="# none"), 0)
