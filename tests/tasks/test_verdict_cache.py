"""A program already judged on the same tests is not run again; a run cut short by a limit is."""

from __future__ import annotations

from task_helpers import PLUS_ONE_TEST, as_answer, function_task

from conductor.tasks.verify import verify, verify_many
from conductor.tasks.verify.verdict_cache import CODE_VERDICTS


def _counts() -> tuple[int, int]:
    return CODE_VERDICTS.hits, CODE_VERDICTS.misses


def test_the_same_program_runs_once_and_keeps_its_verdict() -> None:
    task = function_task(PLUS_ONE_TEST)
    # A different wrapping of the same program: the key is the extracted program, not the response text.
    first = verify(task, as_answer("def f(x):\n    return x + 2  # cached-once"))
    hits, misses = _counts()
    again = verify(task, "Here it is.\n" + as_answer("def f(x):\n    return x + 2  # cached-once"))
    assert again == first and not again.correct
    assert _counts() == (hits + 1, misses)


def test_other_tests_or_limits_are_another_key() -> None:
    program = as_answer("def f(x):\n    return x + 1  # keyed")
    verify(function_task(PLUS_ONE_TEST), program)
    hits, misses = _counts()
    stricter = function_task(PLUS_ONE_TEST + "    assert candidate(0) == 2\n")
    assert not verify(stricter, program).correct  # a cached "right" would have passed it
    assert not verify(function_task(PLUS_ONE_TEST, timeout_s=0.001), program).correct  # another limit
    assert _counts() == (hits, misses + 2)


def test_a_timeout_is_not_kept() -> None:
    task = function_task(PLUS_ONE_TEST, timeout_s=0.5)
    loop = as_answer("def f(x):\n    while True:\n        pass  # not-kept")
    hits, misses = _counts()
    assert verify(task, loop).reason == "timeout after 0.5s"
    assert verify(task, loop).reason == "timeout after 0.5s"
    assert _counts() == (hits, misses + 2)  # run twice: the second run may well have finished


def test_concurrent_requests_for_one_program_share_one_run() -> None:
    task = function_task(PLUS_ONE_TEST)
    program = as_answer("import time\ntime.sleep(0.3)\ndef f(x):\n    return x + 1  # shared")
    hits, misses = _counts()
    verdicts = verify_many([(task, program)] * 6, max_workers=6)
    assert all(v.correct for v in verdicts)
    assert _counts() == (hits + 5, misses + 1)
