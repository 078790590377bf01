"""Verifiers: score a response to a task. `verify(task, response) -> Verdict(correct, score, reason)`.

One verifier per `task.verifier`: math (math-verify equivalence), choice (the letter picked), code (the
program run against the task's tests in a sandbox). All are safe to call from any thread; `verify_many`
checks many responses in parallel within the machine's cores.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from conductor.tasks.schema import Task
from conductor.tasks.verify.choice_verifier import extract_choice, verify_choice
from conductor.tasks.verify.code_verifier import verify_code
from conductor.tasks.verify.extract import extract_answer, extract_code
from conductor.tasks.verify.math_verifier import verify_math
from conductor.tasks.verify.verdict import Verdict

__all__ = ["Verdict", "extract_answer", "extract_choice", "extract_code", "verify", "verify_many"]

_VERIFIERS = {"math": verify_math, "choice": verify_choice, "code": verify_code}


def verify(task: Task, response: str | None) -> Verdict:
    """Judge one response. Never raises for a bad response: problems become a wrong verdict with a reason."""
    if response is None or not response.strip():
        return Verdict.wrong("empty response")
    try:
        return _VERIFIERS[task.verifier](task, response)
    except Exception as e:  # a broken task or verifier bug must not kill a whole batch of rollouts
        return Verdict.wrong(f"verifier error: {type(e).__name__}: {e}")


def verify_many(items: Sequence[tuple[Task, str | None]], max_workers: int | None = None) -> list[Verdict]:
    """Judge many (task, response) pairs in parallel; results in input order.

    Threads are enough: code runs in child processes and math in the math worker pool, so the threads
    mostly wait. The default of one thread per core keeps that many sandboxed programs running at once.
    """
    if not items:
        return []
    workers = max_workers or os.cpu_count() or 1
    if workers == 1 or len(items) == 1:
        return [verify(t, r) for t, r in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="verify") as ex:
        return list(ex.map(lambda item: verify(*item), items))
