"""Code verifier throughput: sandboxed candidates checked per second on this machine.

    python -m benchmarks.code_verifier [--workers N]

Checks all 164 HumanEval canonical solutions (each must pass) and one mutated program per task from
conductor.tasks.mutate (each must fail) with `verify_many`, which runs one sandboxed process per core, each
answering the tests of a judge worker (conductor/tasks/verify/judge.py). Mutants are built first and not timed
(with run_tests, which does not fill the verdict cache, so every timed candidate really runs). It prints the
sandbox's isolation (bubblewrap, or the fallback): figures compare only between runs in the same mode. The
last line is machine-readable:

    code_verifier candidates_per_s=<x> n=<n>
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor

from conductor.tasks.mutate import wrong_program
from conductor.tasks.sources import load_source
from conductor.tasks.verify import verify_many
from conductor.tasks.verify.isolation import isolation


def _wrap(program: str) -> str:
    return f"<idea>...</idea>\n<answer>\n```python\n{program}\n```\n</answer>"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel sandboxes")
    args = ap.parse_args()

    tasks = load_source("humaneval")
    with ThreadPoolExecutor(max_workers=args.workers) as ex:
        wrongs = list(ex.map(lambda t: wrong_program(t, 0), tasks))
    items = [(t, _wrap(t.answer)) for t in tasks] + [(t, _wrap(w)) for t, w in zip(tasks, wrongs, strict=False)]

    start = time.perf_counter()
    verdicts = verify_many(items, max_workers=args.workers)
    seconds = time.perf_counter() - start

    n_tasks = len(tasks)
    passed = sum(v.correct for v in verdicts[:n_tasks])
    rejected = sum(not v.correct for v in verdicts[n_tasks:])
    rate = len(items) / seconds
    print(f"machine: {os.cpu_count()} cores, {args.workers} parallel sandboxes; isolation: {isolation().detail}")
    print(f"canonical passed: {passed}/{n_tasks}; mutated rejected: {rejected}/{n_tasks}; {seconds:.2f}s")
    if passed != n_tasks or rejected != n_tasks:
        raise SystemExit("verifier disagrees with the reference programs: see the counts above")
    print(f"code_verifier candidates_per_s={rate:.1f} n={len(items)}")


if __name__ == "__main__":
    main()
