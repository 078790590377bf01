"""Code: judge the candidate program against the task's tests; the program runs in the sandbox (sandbox.py).

Test styles, named by `verifier_data["style"]`, and where the verdict is made:
- "function" (HumanEval): the candidate (prelude, i.e. the prompt, + its code) is served in the sandbox; the
  test code and `check(candidate)` run in a trusted judge worker (judge.py) that calls it with plain data
  through pipes. Passes when `check` returns and every call was answered with plain data.
- "call" (LiveCodeBench, LeetCode): the candidate is served; this process calls `Solution().<func_name>(*args)`
  per test case (a fresh instance each, one process for all) and compares the plain result with the JSON one.
- "stdio" (LiveCodeBench, Codeforces/AtCoder): a fresh sandboxed process per test case reads stdin; this
  process compares its stdout line by line.
- "unittest" (BigCodeBench): candidate + its `TestCases` class run together in the sandbox (the tests patch
  the candidate's modules, so they cannot run elsewhere); passes when the run reaches its end. The one style
  whose verdict comes from inside the candidate's process: an evaluation-only benchmark (docs/tasks.md).
Per-task limits may be set in verifier_data: `timeout_s`, `memory_mb`, `allow_subprocess`.
"""

from __future__ import annotations

import ast
import json
import time
from typing import Any

from conductor.tasks.schema import Task
from conductor.tasks.verify._wire import Gone, NotPlain
from conductor.tasks.verify.extract import extract_code
from conductor.tasks.verify.judge import Outcome, check_function
from conductor.tasks.verify.outputs import preview, stdout_matches, values_equal
from conductor.tasks.verify.sandbox import Candidate, Limits, RunResult, run_program
from conductor.tasks.verify.verdict import Verdict
from conductor.tasks.verify.verdict_cache import CODE_VERDICTS, verdict_key

# What competitive-programming harnesses put in scope before a LeetCode-style solution.
CALL_PRELUDE = (
    "from typing import *\nimport collections, heapq, itertools, functools, math, bisect, string, re\n"
    "from collections import *\nfrom itertools import *\nfrom functools import *\nfrom heapq import *\n"
    "from bisect import *\nfrom math import *\n"
)
_UNITTEST_RUNNER = """

import sys as _sys, unittest as _unittest
_result = _unittest.TextTestRunner(stream=_sys.stderr, verbosity=0).run(
    _unittest.defaultTestLoader.loadTestsFromTestCase(TestCases))
if not _result.wasSuccessful():
    _bad = (_result.failures + _result.errors)[0]
    print(f"{len(_result.failures) + len(_result.errors)} of {_result.testsRun} tests failed, first: "
          f"{_bad[0].id().rsplit('.', 1)[-1]}", file=_sys.stderr)
    raise SystemExit(1)
"""


def limits_for(task: Task) -> Limits:
    vd = task.verifier_data
    return Limits(
        timeout_s=float(vd.get("timeout_s", 5.0)),
        memory_mb=int(vd.get("memory_mb", 1024)),
        allow_subprocess=bool(vd.get("allow_subprocess", False)),
    )


def _failure(run: RunResult, limits: Limits, where: str = "") -> str:
    prefix = f"{where}: " if where else ""
    if run.status == "timeout":
        return f"{prefix}timeout after {limits.timeout_s:g}s"
    if run.status == "memory":
        return f"{prefix}memory limit exceeded ({limits.memory_mb} MB)"
    if run.status == "output_limit":
        return f"{prefix}output limit exceeded"
    if run.status == "exited":
        return f"{prefix}program exited before its tests finished"
    if run.status == "killed":
        return f"{prefix}killed by signal {-run.returncode}"
    line = run.error_line()
    if line.startswith("SyntaxError") or line.startswith("IndentationError"):
        return f"syntax error: {line.split(':', 1)[-1].strip()}"
    return f"{prefix}failed: {line}"


def candidate_program(task: Task, code: str) -> str:
    """What the sandbox runs for a function-style task: prelude + candidate. A candidate that is only the
    function's body (what completion-style models write) is appended to the prelude directly, as HumanEval's
    own harness does. The tests are not part of it: they run in the judge."""
    prelude = task.verifier_data.get("prelude", "")
    if prelude and not _parses(code) and _parses(prelude + code):
        return prelude + code
    return f"{prelude}\n\n{code}\n" if prelude else code


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


# Outcomes that depend on the machine's load at the time (the wall clock, memory, a signal), not on the program
# alone: their verdicts are not cached (verdict_cache.py). Nor are failures of the verifier itself.
_LOAD_DEPENDENT = frozenset({"timeout", "memory", "killed"})


def run_tests(task: Task, code: str) -> Verdict:
    """Judge a program (already extracted) against the task's tests."""
    return _judge(task, code)[0]


def _judge(task: Task, code: str) -> tuple[Verdict, bool]:
    """(verdict, decided by the program): False when a run was cut short by a limit that depends on load, or
    the verifier itself failed."""
    vd = task.verifier_data
    style = vd.get("style", "function")
    limits = limits_for(task)
    if style == "function":
        return _function(task, code, limits)
    if style == "unittest":
        program = "\n\n".join([vd.get("prelude", ""), code, vd["test"], _UNITTEST_RUNNER])
        run = run_program(program, limits=limits, module_name="__candidate__")
        if not run.started:
            return _not_started(run), False
        verdict = Verdict.right() if run.status == "completed" else Verdict.wrong(_failure(run, limits))
        return verdict, run.status not in _LOAD_DEPENDENT
    if style == "stdio":
        return _stdio(vd["tests"], vd.get("prelude", "") + code, limits)
    if style == "call":
        return _call(vd["tests"], CALL_PRELUDE + vd.get("prelude", "") + code, vd["func_name"], limits)
    return Verdict.wrong(f"unknown test style {style!r}"), True


def _not_started(run: RunResult) -> Verdict:
    return Verdict.wrong(f"verifier error: the sandbox did not start: {run.error_line()}")


def _ended(run: RunResult, limits: Limits, where: str = "") -> tuple[Verdict, bool]:
    """The verdict when the candidate's process ended (or was ended) before answering everything."""
    if not run.started:
        return _not_started(run), False
    return Verdict.wrong(_failure(run, limits, where)), run.status not in _LOAD_DEPENDENT


def _function(task: Task, code: str, limits: Limits) -> tuple[Verdict, bool]:
    vd = task.verifier_data
    with Candidate(candidate_program(task, code), limits, "serve", "__candidate__", entry=vd["entry_point"]) as c:
        got = check_function(c, vd.get("prelude", ""), vd["test"], vd["entry_point"])
        run = c.finish(timed_out=got.outcome == "timeout", ended=got.outcome == "ended")
    return _from_outcome(got, run, limits)


def _from_outcome(got: Outcome, run: RunResult, limits: Limits) -> tuple[Verdict, bool]:
    if got.outcome == "passed":
        return Verdict.right(), True
    if got.outcome == "timeout":
        return Verdict.wrong(f"timeout after {limits.timeout_s:g}s"), False
    if got.outcome == "ended":
        return _ended(run, limits)
    if got.outcome == "aborted":
        if got.detail == "SystemExit":
            return Verdict.wrong("program exited before its tests finished"), True
        return Verdict.wrong(f"failed: {got.detail}"), True
    if got.outcome == "failed":
        if got.detail.startswith("MemoryError"):
            return Verdict.wrong(f"memory limit exceeded ({limits.memory_mb} MB)"), False
        return Verdict.wrong(f"failed: {got.detail}"), True
    return Verdict.wrong(f"verifier error: {got.detail}"), False


def _stdio(tests: list[dict[str, str]], program: str, limits: Limits) -> tuple[Verdict, bool]:
    n = len(tests)
    for i, case in enumerate(tests, 1):
        run = run_program(program, stdin=case["input"], limits=limits)
        if not run.started:
            return _not_started(run), False
        if run.status not in ("completed", "exited"):
            return Verdict.wrong(_failure(run, limits, f"test {i}/{n}")), run.status not in _LOAD_DEPENDENT
        if not stdout_matches(run.stdout, case["output"]):
            return Verdict.wrong(
                f"wrong output on test {i}/{n}: got {preview(run.stdout)!r}, expected {preview(case['output'])!r}"
            ), True
    return Verdict.right(f"ok: {n} tests passed"), True


def _as_json(value: Any) -> Any:
    """The value as the JSON harnesses compare it (tuples as lists, keys as strings), where JSON can hold it."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return value


def _shown(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        try:
            return repr(value)
        except ValueError:  # an int too long to print
            return "<a very long number>"


def _call(tests: list[dict[str, str]], program: str, func_name: str, limits: Limits) -> tuple[Verdict, bool]:
    """One served process for all test cases; each call gets the time limit of one test."""
    n = len(tests)
    with Candidate(program, limits, "serve", entry="Solution", cpu_s=limits.timeout_s * max(1, n)) as c:
        assert c.channel is not None
        i = 0
        try:
            c.channel.ready(c.deadline)
            for i, case in enumerate(tests, 1):
                args = [json.loads(line) for line in case["input"].splitlines() if line.strip()]
                reply = c.channel.call(["method", "Solution", func_name, args], time.monotonic() + limits.timeout_s)
                where = f"test {i}/{n}"
                if reply.kind == "raise":
                    detail = f"{reply.error}: {reply.value}" if reply.value else reply.error
                    if reply.error == "MemoryError":
                        return Verdict.wrong(f"{where}: memory limit exceeded ({limits.memory_mb} MB)"), False
                    return Verdict.wrong(f"{where}: failed: {detail}"), True
                if reply.kind == "bad":
                    return Verdict.wrong(f"{where}: failed: returned a {reply.value}, which is not plain data"), True
                expected = json.loads(case["output"])
                if not values_equal(_as_json(reply.value), expected):
                    got = preview(_shown(reply.value))
                    return Verdict.wrong(
                        f"wrong result on test {i}/{n}: got {got}, expected {preview(case['output'])}"
                    ), True
        except Gone as e:
            where = f"test {i}/{n}" if i else ""
            if e.kind == "timeout":
                return Verdict.wrong(f"{where + ': ' if where else ''}timeout after {limits.timeout_s:g}s"), False
            if e.kind == "protocol":
                return Verdict.wrong(f"{where + ': ' if where else ''}failed: {e}"), True
            return _ended(c.finish(ended=True), limits, where)
        except NotPlain as e:
            return Verdict.wrong(f"verifier error: a test's arguments cannot be sent: {e}"), False
    return Verdict.right(f"ok: {n} tests passed"), True


def verify_code(task: Task, response: str) -> Verdict:
    """Extract the program and judge it; a program already judged on the same tests is not run again."""
    code = extract_code(response)
    if code is None:
        return Verdict.wrong("no code found in the answer")
    return CODE_VERDICTS.get_or_run(verdict_key(task, code), lambda: _judge(task, code))
