"""Rollouts as Parquet: the system of record.

Layout: <root>/run=<run_id>/iteration=<n>/<phase>-<part>.parquet. Each file has exactly one writer and is
written atomically (temp file, then rename), and its name is deterministic: rewriting the same part after a
crash replaces it instead of adding a duplicate, and a half-written file is never visible to readers.
The partition folders organise files; run_id and iteration are also plain columns inside each file, so the
DuckDB views read them without hive partitioning.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from conductor.store.schema import ROLLOUT_SCHEMA, RolloutRow

_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _check_name(kind: str, value: str) -> str:
    if not _SAFE.match(value):
        raise ValueError(f"{kind} {value!r} may only hold letters, digits, '.', '_' and '-'")
    return value


def iteration_dir(root: Path, run_id: str, iteration: int) -> Path:
    return Path(root) / f"run={_check_name('run id', run_id)}" / f"iteration={int(iteration)}"


def rows_to_table(rows: list[RolloutRow]) -> pa.Table:
    now = datetime.now(UTC)
    records = []
    for r in rows:
        d = r.model_dump()
        d["created_at"] = d["created_at"] or now
        records.append(d)
    return pa.Table.from_pylist(records, schema=ROLLOUT_SCHEMA)


def write_rollouts(
    rows: list[RolloutRow], root: Path, run_id: str, iteration: int, phase: str, part: str = "0"
) -> Path:
    """Write one part atomically and return its path. Same (run, iteration, phase, part) -> same file."""
    for r in rows:
        if r.run_id != run_id or r.iteration != iteration or r.phase != phase:
            raise ValueError(f"rollout {r.rollout_id} belongs to {r.run_id}/{r.iteration}/{r.phase}, not this part")
    d = iteration_dir(root, run_id, iteration)
    d.mkdir(parents=True, exist_ok=True)
    final = d / f"{_check_name('phase', phase)}-{_check_name('part', part)}.parquet"
    tmp = d / f".{final.name}.{uuid.uuid4().hex}.tmp"
    pq.write_table(rows_to_table(rows), tmp)
    os.replace(tmp, final)
    return final


def rollout_files(
    root: Path, run_id: str | None = None, iteration: int | None = None, phase: str | None = None
) -> list[Path]:
    run_glob = f"run={run_id}" if run_id else "run=*"
    it_glob = f"iteration={iteration}" if iteration is not None else "iteration=*"
    ph_glob = f"{phase}-*.parquet" if phase else "*.parquet"
    return sorted(Path(root).glob(f"{run_glob}/{it_glob}/{ph_glob}"))


def read_rollouts(
    root: Path, run_id: str | None = None, iteration: int | None = None, phase: str | None = None
) -> pa.Table:
    """All rollouts matching the filters as one Arrow table (empty, with the schema, when there are none)."""
    return read_files(rollout_files(root, run_id, iteration, phase))


def read_files(files: list[Path]) -> pa.Table:
    """These rollout files as one Arrow table (empty, with the schema, when there are none)."""
    if not files:
        return ROLLOUT_SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(f, schema=ROLLOUT_SCHEMA) for f in files])


def remove_iteration(root: Path, run_id: str, iteration: int) -> None:
    """Drop an unfinished iteration's files before it is redone (resume), so nothing is counted twice."""
    d = iteration_dir(root, run_id, iteration)
    if d.exists():
        for f in d.iterdir():
            f.unlink()
        d.rmdir()
