"""The code verifier end to end: response text -> program -> sandboxed tests -> verdict with a reason."""

from __future__ import annotations

import os
from pathlib import Path

from task_helpers import PLUS_ONE_TEST, as_answer, code_task, function_task

from conductor.tasks.verify import verify, verify_many


def test_function_style_right_and_wrong(plus_one_task) -> None:
    assert verify(plus_one_task, as_answer("def f(x):\n    return x + 1")).correct
    wrong = verify(plus_one_task, as_answer("def f(x):\n    return x + 2"))
    assert not wrong.correct and wrong.reason == "failed: AssertionError"


def test_reasons_for_broken_programs(plus_one_task) -> None:
    assert verify(plus_one_task, as_answer("def f(x:\n    return x")).reason.startswith("syntax error")
    assert "NameError" in verify(plus_one_task, as_answer("def f(x):\n    return y")).reason
    assert verify(plus_one_task, "I don't know.").reason == "no code found in the answer"
    assert verify(plus_one_task, "").reason == "empty response"


def test_loops_forever_times_out() -> None:
    task = function_task(PLUS_ONE_TEST, timeout_s=1.0)
    verdict = verify(task, as_answer("def f(x):\n    while True:\n        pass"))
    assert not verdict.correct and verdict.reason == "timeout after 1s"


def test_allocating_too_much_fails_with_a_reason() -> None:
    task = function_task(PLUS_ONE_TEST, memory_mb=512)
    verdict = verify(task, as_answer("def f(x):\n    big = bytearray(4 * 1024**3)\n    return x + 1"))
    assert not verdict.correct and verdict.reason == "memory limit exceeded (512 MB)"


def test_early_exit_is_not_a_pass(plus_one_task) -> None:
    verdict = verify(plus_one_task, as_answer("import sys\ndef f(x):\n    return 0\nsys.exit(0)"))
    assert not verdict.correct and "exited before its tests finished" in verdict.reason


def test_a_program_needing_a_secret_fails(monkeypatch) -> None:
    monkeypatch.setenv("CONDUCTOR_TEST_TOKEN", "tok-123")
    task = function_task("def check(candidate):\n    assert candidate() == 'tok-123'\n", entry_point="leak")
    verdict = verify(task, as_answer("import os\ndef leak():\n    return os.environ.get('CONDUCTOR_TEST_TOKEN')"))
    assert not verdict.correct


def test_a_program_needing_the_network_fails() -> None:
    task = function_task("def check(candidate):\n    assert candidate() == 'online'\n", entry_point="fetch")
    program = (
        "import socket\n"
        "def fetch():\n"
        "    try:\n"
        "        socket.create_connection(('1.1.1.1', 53), timeout=1).close()\n"
        "        return 'online'\n"
        "    except OSError:\n"
        "        return 'offline'\n"
    )
    assert not verify(task, as_answer(program)).correct


def test_a_program_writing_outside_fails(tmp_path: Path) -> None:
    target = tmp_path / "owned.txt"
    task = function_task("def check(candidate):\n    assert candidate() is True\n", entry_point="write")
    program = f"def write():\n    open({str(target)!r}, 'w').write('x')\n    return True"
    verdict = verify(task, as_answer(program))
    assert not verdict.correct and verdict.reason.startswith("failed: ")
    assert not target.exists()


def test_stdio_style() -> None:
    task = code_task(
        {"style": "stdio", "tests": [{"input": "1 2\n", "output": "3\n"}, {"input": "2.5 0.25\n", "output": "2.75"}]}
    )
    right = "a, b = map(float, open(0).read().split())\nr = a + b\nprint(int(r) if r == int(r) else r)"
    assert verify(task, as_answer(right)).reason == "ok: 2 tests passed"
    wrong = verify(task, as_answer("a, b = map(float, input().split())\nprint(a * b)"))
    assert wrong.reason.startswith("wrong output on test 1/2")


def test_call_style() -> None:
    task = code_task({"style": "call", "func_name": "add", "tests": [{"input": "1\n2", "output": "3"}]})
    right = "class Solution:\n    def add(self, a: int, b: int) -> int:\n        print('debug')\n        return a + b"
    assert verify(task, as_answer(right)).correct
    assert not verify(task, as_answer(right.replace("a + b", "a - b"))).correct


def test_unittest_style() -> None:
    test = (
        "import unittest\n\nclass TestCases(unittest.TestCase):\n"
        "    def test_one(self):\n        self.assertEqual(task_func(2), 4)\n"
        "    def test_two(self):\n        self.assertEqual(task_func(3), 9)\n"
    )
    task = code_task({"style": "unittest", "test": test, "entry_point": "task_func"})
    assert verify(task, as_answer("def task_func(x):\n    return x * x")).correct
    wrong = verify(task, as_answer("def task_func(x):\n    return x + x"))
    assert wrong.reason == "failed: 1 of 2 tests failed, first: test_two"


def test_verify_many_mixes_right_and_wrong_in_parallel(plus_one_task) -> None:
    right, wrong = as_answer("def f(x):\n    return x + 1"), as_answer("def f(x):\n    return x")
    items = [(plus_one_task, right if k % 2 else wrong) for k in range(2 * (os.cpu_count() or 1) + 2)]
    assert [v.correct for v in verify_many(items)] == [bool(k % 2) for k in range(len(items))]


def test_a_body_only_completion_is_appended_to_the_prompt() -> None:
    """Completion-style models write only the function body; HumanEval's harness appends it to the prompt."""
    prompt = 'def f(x):\n    """Add one."""\n'
    task = function_task(PLUS_ONE_TEST, prelude=prompt)
    assert verify(task, as_answer("    return x + 1")).correct
    assert not verify(task, as_answer("    return x - 1")).correct
