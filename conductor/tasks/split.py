"""Fixed train / held-out splits, decided by the task id alone.

A hash of the id (not a shuffle, not the position in the file) puts about 25% of tasks in `test`, so
re-preparing a source, adding tasks to it or preparing it on another machine never moves a task between
splits. Benchmarks meant only for evaluation put every task in `test`.
"""

from __future__ import annotations

import hashlib

from conductor.tasks.schema import Split

TEST_FRACTION = 0.25
_BUCKETS = 10_000


def split_for(task_id: str, test_fraction: float = TEST_FRACTION) -> Split:
    bucket = int.from_bytes(hashlib.sha256(task_id.encode("utf-8")).digest()[:8], "big") % _BUCKETS
    return "test" if bucket < test_fraction * _BUCKETS else "train"


def short_hash(*parts: str, length: int = 12) -> str:
    """A stable content hash for ids of items that carry none (MMLU rows, jee-math rows)."""
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:length]
