"""Math: equivalence of final answers with math-verify (1/2 = 0.5 = \\frac{1}{2}), safe from any thread.

math-verify's time limits use `signal.alarm`, which raises off the main thread (inside async reward
functions, thread pools, the rollout server). So every check runs in one of a few long-lived worker
processes (_math_worker.py, started with `python -I`), where math-verify runs on a main thread with its own
limits; this side adds a hard wall-clock limit: a worker that does not answer in time is killed and
replaced, and the answer counts as wrong with reason "timeout". Workers start lazily and are shared by all
threads, one request at a time each.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from conductor.tasks.schema import Task
from conductor.tasks.verify.extract import extract_answer
from conductor.tasks.verify.verdict import Verdict

CHECK_TIMEOUT_S = 20.0
MAX_ANSWER_CHARS = 1000
_WORKER = Path(__file__).with_name("_math_worker.py")


class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(_WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )

    def ask(self, gold: str, answer: str, timeout_s: float) -> tuple[bool, str] | None:
        """The worker's reply, or None if it did not answer in time or died (then it must be discarded)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps({"gold": gold, "answer": answer}) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    return None
                reply = json.loads(line)
                return bool(reply["ok"]), str(reply["detail"])

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


class _WorkerPool:
    """At most `size` workers; a caller takes an idle one (or starts one, or waits) and gives it back."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.started = 0
        self.lock = threading.Lock()
        self.all: set[_Worker] = set()

    def take(self) -> _Worker:
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        with self.lock:
            if self.started < self.size:
                self.started += 1
                worker = _Worker()
                self.all.add(worker)
                return worker
        return self.idle.get()

    def give_back(self, worker: _Worker, healthy: bool) -> None:
        if healthy:
            self.idle.put(worker)
            return
        worker.kill()
        with self.lock:
            self.started -= 1
            self.all.discard(worker)

    def close(self) -> None:
        with self.lock:
            workers, self.all, self.started = list(self.all), set(), 0
        for w in workers:
            w.kill()
        self.idle = queue.Queue()


_pool = _WorkerPool(size=max(1, min(4, os.cpu_count() or 1)))
atexit.register(_pool.close)


def shutdown() -> None:
    """Stop the worker processes (also done at exit)."""
    _pool.close()


def equivalent(gold: str, answer: str, timeout_s: float = CHECK_TIMEOUT_S) -> tuple[bool, str]:
    """(equivalent, detail) for two answer strings; detail is "" or what went wrong ("timeout ...", ...)."""
    if len(answer) > MAX_ANSWER_CHARS:
        return False, f"answer longer than {MAX_ANSWER_CHARS} characters"
    worker = _pool.take()
    reply = worker.ask(gold, answer, timeout_s)
    _pool.give_back(worker, healthy=reply is not None)
    if reply is None:
        return False, f"timeout after {timeout_s:g}s"
    return reply


def verify_math(task: Task, response: str) -> Verdict:
    answer = extract_answer(response)
    if answer is None or not answer.strip():
        return Verdict.wrong(f"no answer found (expected {task.answer})")
    ok, detail = equivalent(task.answer, answer)
    if ok:
        return Verdict.right()
    if detail:
        return Verdict.wrong(f"{detail}: got {answer}, expected {task.answer}")
    return Verdict.wrong(f"wrong answer: got {answer}, expected {task.answer}")
