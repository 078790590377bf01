"""Verdicts of programs already run, so that the same program on the same tests runs once per process.

Why: in RL the same candidate comes back again and again. On the simulated pool a group of 8 workflows for a
HumanEval task returns only a handful of distinct programs (13-16 distinct among 36-39 code answers of an
iteration, and the training tasks recur across iterations), and each sandboxed run costs a fresh Python
process (about 50 ms a core). Real workers repeat themselves too, at temperature or not.

What is kept: only verdicts that the program and the tests decide. A run stopped by the wall clock, the memory
limit or a signal depends on the machine's load at that moment, so it is not kept and the next request runs
the program again; nor is a failure of the verifier itself (a sandbox that did not start, a judge that died).
Concurrent requests for the same key wait for the one run in flight instead of starting their own.

Why a hostile program cannot poison it: the key is a SHA-256 of everything the verdict depends on that is not
the program's behaviour: the task's id, its whole verifier data (tests, limits), the program text, how this
process isolates candidates (a verdict from the fallback is not one from bubblewrap) and VERDICT_RULES, the
version of the rules that turn a run into a verdict. All of it comes from the trusted side, and the JSON it is
hashed from is unambiguous (quoted strings), so two programs share a key only if they are the same text on the
same tests. A program controls only its own verdict, which the judge makes outside its reach (judge.py), and
only the verdict of the exact same text on the same tests is reused. The cache is in memory, per process.

The cache lives in the process (a campaign, a benchmark), bounded to `CONDUCTOR_VERDICT_CACHE` verdicts
(default 20,000; 0 turns it off, e.g. to time the sandbox itself).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable

from conductor.tasks.schema import Task
from conductor.tasks.verify.isolation import isolation
from conductor.tasks.verify.verdict import Verdict

DEFAULT_SIZE = 20_000  # verdicts are ~200 bytes each: a few MB at most


VERDICT_RULES = 2  # 2: tests in the judge, plain-data replies, bubblewrap (issue 16)


def verdict_key(task: Task, code: str) -> str:
    facts = [VERDICT_RULES, isolation().mode, task.id, task.verifier, task.verifier_data, code]
    blob = json.dumps(facts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class VerdictCache:
    """A bounded, thread-safe memo of (key -> Verdict) with in-flight deduplication."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._done: OrderedDict[str, Verdict] = OrderedDict()
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_run(self, key: str, run: Callable[[], tuple[Verdict, bool]]) -> Verdict:
        """The cached verdict for `key`, or `run()`'s (verdict, keep) with the verdict kept when `keep`."""
        if self.size <= 0:
            return run()[0]
        while True:
            with self._lock:
                if key in self._done:
                    self._done.move_to_end(key)
                    self.hits += 1
                    return self._done[key]
                waiting = self._running.get(key)
                if waiting is None:
                    self._running[key] = threading.Event()
                    self.misses += 1
                    break
            waiting.wait()  # then look again: kept, or not kept (the run was cut short) and ours to redo
        try:
            verdict, keep = run()
            if keep:
                with self._lock:
                    self._done[key] = verdict
                    while len(self._done) > self.size:
                        self._done.popitem(last=False)
            return verdict
        finally:
            with self._lock:
                self._running.pop(key).set()

    def clear(self) -> None:
        with self._lock:
            self._done.clear()
            self.hits = self.misses = 0


CODE_VERDICTS = VerdictCache(int(os.environ.get("CONDUCTOR_VERDICT_CACHE", DEFAULT_SIZE)))
