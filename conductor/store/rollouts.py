"""Rollouts as Parquet: the system of record.

Layout: <root>/run=<run_id>/iteration=<n>/<phase>-<part>.parquet. Each file has exactly one writer and is
written atomically (temp file, then rename), and its name is deterministic: rewriting the same part after a
crash replaces it instead of adding a duplicate, and a half-written file is never visible to readers.
The partition folders organise files; run_id and iteration are also plain columns inside each file, so the
DuckDB views read them without hive partitioning. Columns: conductor.store.schema (parts written before the
typed steps are read through conductor.store.legacy, so readers always get ROLLOUT_SCHEMA).
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from conductor.store.legacy import is_legacy, read_legacy
from conductor.store.schema import ROLLOUT_COLUMNS, ROLLOUT_SCHEMA, RolloutRow

_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _check_name(kind: str, value: str) -> str:
    if not _SAFE.match(value):
        raise ValueError(f"{kind} {value!r} may only hold letters, digits, '.', '_' and '-'")
    return value


def iteration_dir(root: Path, run_id: str, iteration: int) -> Path:
    return Path(root) / f"run={_check_name('run id', run_id)}" / f"iteration={int(iteration)}"


def rows_to_table(rows: list[RolloutRow]) -> pa.Table:
    """Rows as a table of ROLLOUT_SCHEMA, column by column; a row of any other model is refused."""
    for r in rows:
        if type(r) is not RolloutRow:
            raise TypeError(f"only RolloutRow is stored, not {type(r).__name__} (its fields would be dropped)")
    now = datetime.now(UTC)
    arrays = []
    for name, col in ROLLOUT_COLUMNS.items():
        values = [col.encode(getattr(r, name)) for r in rows]
        if name == "created_at":
            values = [v or now for v in values]
        arrays.append(pa.array(values, type=col.type))
    return pa.Table.from_arrays(arrays, schema=ROLLOUT_SCHEMA)


def rows_from_table(table: pa.Table) -> list[RolloutRow]:
    """A table of ROLLOUT_SCHEMA back to validated rows (steps as StepResults)."""
    out = []
    for record in table.select(list(ROLLOUT_COLUMNS)).to_pylist():
        out.append(RolloutRow.model_validate({k: ROLLOUT_COLUMNS[k].decode(v) for k, v in record.items()}))
    return out


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
    """These rollout files as one Arrow table of ROLLOUT_SCHEMA (empty when there are none), whichever
    layout each was written in."""
    tables = [read_legacy(f) if is_legacy(f) else pq.read_table(f, schema=ROLLOUT_SCHEMA) for f in files]
    if not tables:
        return ROLLOUT_SCHEMA.empty_table()
    return pa.concat_tables(tables)


def remove_iteration(root: Path, run_id: str, iteration: int) -> None:
    """Drop an unfinished iteration's files before it is redone (resume), so nothing is counted twice."""
    d = iteration_dir(root, run_id, iteration)
    if d.exists():
        for f in d.iterdir():
            f.unlink()
        d.rmdir()
