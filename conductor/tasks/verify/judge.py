"""The trusted side of function-style tests (HumanEval): where `check(candidate)` runs, outside the sandbox.

The test code runs in a judge worker process (_judge_worker.py), never in the candidate's process and never in
this one: a test cannot be patched, read or skipped by the program it tests, and a test's own side effects
(random seeds, imports) or a test that loops forever cannot touch the caller. The candidate answers calls
from its sandbox through two pipes (sandbox.Candidate in "serve" mode); its descriptors are passed to the
worker over a unix socket.

Workers are long-lived (a fresh interpreter per check would cost as much as the candidate's own start), start
lazily, serve one check at a time and are shared by all threads; one that does not answer in time is killed
and replaced. They run with the same clean environment as the candidates.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from conductor.tasks.verify.sandbox import Candidate

_WORKER = Path(__file__).with_name("_judge_worker.py")
ANSWER_GRACE_S = 3.0  # past the deadline: the worker's own grace (0.5 s) plus slack for a loaded machine


@dataclass(frozen=True)
class Outcome:
    """What the judge found. `outcome`: "passed"; "failed" (detail: the error line); "aborted" (detail:
    SystemExit or KeyboardInterrupt, raised in a call); "ended" (the candidate's process ended: its run result
    says why); "timeout"; or "error" (the judge or the test code broke: not the candidate's doing)."""

    outcome: str
    detail: str = ""


class _Worker:
    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(_WORKER), str(theirs.fileno())], pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        theirs.close()
        self.sock = mine

    def check(self, job: dict, fds: list[int], wait_s: float) -> Outcome | None:
        """The worker's outcome, or None if it did not answer in time or died (then it must be discarded)."""
        body = json.dumps(job).encode()
        try:
            socket.send_fds(self.sock, [len(body).to_bytes(8, "big")], fds)
            self.sock.sendall(body)
            head = self._recv(8, wait_s)
            reply = json.loads(self._recv(int.from_bytes(head, "big"), wait_s))
        except (OSError, EOFError, ValueError):
            return None
        return Outcome(str(reply["outcome"]), str(reply.get("detail", "")))

    def _recv(self, n: int, wait_s: float) -> bytes:
        data, end = b"", time.monotonic() + wait_s
        while len(data) < n:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            chunk = self.sock.recv(n - len(data))  # socket.timeout is an OSError
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def kill(self) -> None:
        self.sock.close()
        self.proc.kill()
        self.proc.wait()


class _Pool:
    """At most `size` workers; a caller takes an idle one (or starts one, or waits) and gives it back."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
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
        self.idle = queue.SimpleQueue()


_pool = _Pool(size=max(4, 2 * (os.cpu_count() or 1)))
atexit.register(_pool.close)


def check_function(candidate: Candidate, prelude: str, test: str, entry: str) -> Outcome:
    """Run `test`'s `check(<entry>)` against a served candidate; the candidate's deadline is the tests'."""
    assert candidate.channel is not None
    job = {"prelude": prelude, "test": test, "entry": entry, "deadline": candidate.deadline}
    fds = [candidate.channel.to_candidate, candidate.channel.from_candidate]
    worker = _pool.take()
    # The worker holds its own copies once they are sent; ours would keep the pipes open after it is done.
    outcome = worker.check(job, fds, max(0.0, candidate.deadline - time.monotonic()) + ANSWER_GRACE_S)
    candidate.released()
    _pool.give_back(worker, healthy=outcome is not None)
    return outcome or Outcome("error", "the judge worker did not answer")
