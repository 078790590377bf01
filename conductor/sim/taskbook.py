"""The tasks the simulated pool knows, looked up by their exact question text.

Every worker sees the full question inside <overall_task> (conductor.workflow.worker_prompt), so the
question text is the key: the simulator finds the reference answer the way a real model "knows" it. Keys
are whitespace-trimmed; nothing else is normalised, so a different question is an unknown one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from conductor.tasks.schema import Task


def load_tasks(source: Iterable[Task] | str | Path) -> list[Task]:
    """Tasks from a list, or from a Parquet file/folder (conductor.tasks.io when present, else pyarrow)."""
    if not isinstance(source, (str, Path)):
        return list(source)
    try:
        from conductor.tasks.io import read_tasks  # lazy: written by another package, may not exist yet
    except ImportError:
        read_tasks = None
    if read_tasks is not None:
        return list(read_tasks(source))
    import pyarrow.parquet as pq

    path = Path(source)
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    tasks: list[Task] = []
    for f in files:
        tasks.extend(Task.from_row(row) for row in pq.read_table(f).to_pylist())
    return tasks


class TaskBook:
    """Question text -> Task. When two tasks share a question, the first one wins (same reference expected)."""

    def __init__(self, tasks: Iterable[Task]) -> None:
        self._by_question: dict[str, Task] = {}
        for t in tasks:
            self._by_question.setdefault(t.question.strip(), t)

    def __len__(self) -> int:
        return len(self._by_question)

    def find(self, question: str) -> Task | None:
        return self._by_question.get(question.strip())
