"""Code: run the candidate program against the task's tests in the sandbox (sandbox.py).

Test styles, named by `verifier_data["style"]`:
- "function" (HumanEval): prelude (the prompt, so its helper functions exist) + candidate + test code +
  `check(entry_point)`; passes when the program runs to its end.
- "unittest" (BigCodeBench): candidate + a `TestCases` unittest class; passes when every test passes.
- "stdio" (LiveCodeBench, Codeforces/AtCoder): the candidate reads stdin and writes stdout, once per test
  case (a fresh process each, so `open(0).read()` works); output compared line by line.
- "call" (LiveCodeBench, LeetCode): `Solution().<func_name>(*args)` with JSON arguments, once per test case;
  the JSON result compared with the expected one.
Per-task limits may be set in verifier_data: `timeout_s`, `memory_mb`.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from conductor.tasks.schema import Task
from conductor.tasks.verify.extract import extract_code
from conductor.tasks.verify.outputs import preview, stdout_matches, values_equal
from conductor.tasks.verify.sandbox import Limits, RunResult, run_program
from conductor.tasks.verify.verdict import Verdict
from conductor.tasks.verify.verdict_cache import CODE_VERDICTS, verdict_key

# What competitive-programming harnesses put in scope before a LeetCode-style solution.
CALL_PRELUDE = (
    "from typing import *\nimport collections, heapq, itertools, functools, math, bisect, string, re\n"
    "from collections import *\nfrom itertools import *\nfrom functools import *\nfrom heapq import *\n"
    "from bisect import *\nfrom math import *\n"
)
_RESULT_MARK = "__CONDUCTOR_RESULT__"
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


def function_program(task: Task, code: str) -> str:
    """prelude + candidate + tests. A candidate that is only the function's body (what completion-style
    models write) is appended to the prelude directly, as HumanEval's own harness does."""
    vd = task.verifier_data
    prelude = vd.get("prelude", "")
    if prelude and not _parses(code) and _parses(prelude + code):
        prelude, code = "", prelude + code
    return "\n\n".join([prelude, code, vd["test"], f"check({vd['entry_point']})\n"])


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


# Outcomes that depend on the machine's load at the time (the wall clock, memory, a signal), not on the program
# alone: their verdicts are not cached (verdict_cache.py).
_LOAD_DEPENDENT = frozenset({"timeout", "memory", "killed"})


def run_tests(task: Task, code: str) -> Verdict:
    """Judge a program (already extracted) against the task's tests."""
    return _judge(task, code)[0]


def _judge(task: Task, code: str) -> tuple[Verdict, bool]:
    """(verdict, decided by the program): False when a run was cut short by a limit that depends on load."""
    vd = task.verifier_data
    style = vd.get("style", "function")
    limits = limits_for(task)
    if style in ("function", "unittest"):
        program = (
            function_program(task, code)
            if style == "function"
            else "\n\n".join([vd.get("prelude", ""), code, vd["test"], _UNITTEST_RUNNER])
        )
        run = run_program(program, limits=limits, module_name="__candidate__")
        verdict = Verdict.right() if run.status == "completed" else Verdict.wrong(_failure(run, limits))
        return verdict, run.status not in _LOAD_DEPENDENT
    if style == "stdio":
        return _stdio(vd["tests"], vd.get("prelude", "") + code, limits)
    if style == "call":
        return _call(vd["tests"], CALL_PRELUDE + vd.get("prelude", "") + code, vd["func_name"], limits)
    return Verdict.wrong(f"unknown test style {style!r}"), True


def _stdio(tests: list[dict[str, str]], program: str, limits: Limits) -> tuple[Verdict, bool]:
    n = len(tests)
    for i, case in enumerate(tests, 1):
        run = run_program(program, stdin=case["input"], limits=limits)
        if run.status not in ("completed", "exited"):
            return Verdict.wrong(_failure(run, limits, f"test {i}/{n}")), run.status not in _LOAD_DEPENDENT
        if not stdout_matches(run.stdout, case["output"]):
            return Verdict.wrong(
                f"wrong output on test {i}/{n}: got {preview(run.stdout)!r}, expected {preview(case['output'])!r}"
            ), True
    return Verdict.right(f"ok: {n} tests passed"), True


def _call_harness(program: str, func_name: str, args_text: str) -> str:
    return (
        f"{program}\n\n"
        "import json as _json\n"
        f"_args = [_json.loads(_l) for _l in {args_text!r}.splitlines() if _l.strip()]\n"
        f"_out = Solution().{func_name}(*_args)\n"
        f"print({_RESULT_MARK!r} + _json.dumps(_out))\n"
    )


def _call(tests: list[dict[str, str]], program: str, func_name: str, limits: Limits) -> tuple[Verdict, bool]:
    n = len(tests)
    for i, case in enumerate(tests, 1):
        run = run_program(_call_harness(program, func_name, case["input"]), limits=limits)
        if run.status != "completed":
            return Verdict.wrong(_failure(run, limits, f"test {i}/{n}")), run.status not in _LOAD_DEPENDENT
        marked = [ln for ln in run.stdout.splitlines() if ln.startswith(_RESULT_MARK)]
        got: Any = json.loads(marked[-1][len(_RESULT_MARK) :]) if marked else None
        expected = json.loads(case["output"])
        if not values_equal(got, expected):
            return Verdict.wrong(
                f"wrong result on test {i}/{n}: got {preview(json.dumps(got))}, expected {preview(case['output'])}"
            ), True
    return Verdict.right(f"ok: {n} tests passed"), True


def verify_code(task: Task, response: str) -> Verdict:
    """Extract the program and judge it; a program already judged on the same tests is not run again."""
    code = extract_code(response)
    if code is None:
        return Verdict.wrong("no code found in the answer")
    return CODE_VERDICTS.get_or_run(verdict_key(task, code), lambda: _judge(task, code))
