"""Tasks on disk: one Parquet file per source, written atomically, read back as `Task` objects.

Atomic write (temp file in the same folder, then rename) so a reader never sees half a file and a crash
never leaves one behind. The temp name does not end in .parquet, so globbing readers (the DuckDB `tasks`
view) skip it. `verifier_data` is stored as a JSON string: the same columns for every source.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from conductor.tasks.schema import Task

TASK_ARROW_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("domain", pa.string()),
        ("question", pa.string()),
        ("answer", pa.string()),
        ("verifier", pa.string()),
        ("verifier_data", pa.string()),
        ("difficulty", pa.float64()),
        ("split", pa.string()),
        ("real", pa.bool_()),
    ]
)


def write_tasks(tasks: Iterable[Task], path: str | Path) -> Path:
    """Write tasks to one Parquet file, replacing it atomically. Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [t.to_row() for t in tasks]
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path.name}: duplicate task ids")
    table = pa.Table.from_pylist(rows, schema=TASK_ARROW_SCHEMA)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def task_files(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        return sorted(path.glob("*.parquet"))
    if path.exists():
        return [path]
    raise FileNotFoundError(f"no tasks at {path}")


def read_tasks(
    path: str | Path,
    split: str | None = None,
    domains: Iterable[str] | None = None,
) -> list[Task]:
    """Tasks from one Parquet file or every *.parquet in a folder, optionally one split and some domains."""
    wanted = set(domains) if domains is not None else None
    tasks: list[Task] = []
    for f in task_files(path):
        for row in pq.read_table(f).to_pylist():
            if split is not None and row.get("split") != split:
                continue
            if wanted is not None and row.get("domain") not in wanted:
                continue
            tasks.append(Task.from_row(row))
    return tasks
