"""DuckDB over the Parquet store: an in-memory database whose views (sql/views/*.sql) read the files.

Parquet stays the system of record; DuckDB holds no state of its own, so any number of readers can query
while one writer per file appends new parts. Parts written before the typed layout (conductor.store.legacy)
are read through its conversion and joined to the others by column name, so every view sees one schema.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from conductor.config import Paths
from conductor.store.legacy import is_legacy, parquet_files_sql, upgrade_sql
from conductor.store.schema import ROLLOUT_SCHEMA

SQL_DIR = Path(__file__).resolve().parent / "sql"  # package data: the wheel ships the views and saved queries

_TASK_COLUMNS = (
    "id VARCHAR, source VARCHAR, domain VARCHAR, question VARCHAR, answer VARCHAR, verifier VARCHAR, "
    "verifier_data VARCHAR, difficulty DOUBLE, split VARCHAR, real BOOLEAN"
)


def _rollouts_relation(con: duckdb.DuckDBPyConnection, files: list[Path]) -> str:
    """What ${ROLLOUTS} stands for: the typed parts and the legacy parts converted, under an empty relation of
    ROLLOUT_SCHEMA, so every column is there, in the schema's order, even when no part has it yet (a column
    added later, such as the evaluation's `repeat`, is null in older parts)."""
    old = [f for f in files if is_legacy(f)]
    new = [f for f in files if f not in set(old)]
    con.register("_empty_rollouts", ROLLOUT_SCHEMA.empty_table())
    parts = ["SELECT * FROM _empty_rollouts"]
    if new:
        parts.append(f"SELECT * FROM {parquet_files_sql(new)}")
    if old:
        parts.append(upgrade_sql(parquet_files_sql(old)))
    if len(parts) == 1:
        return "_empty_rollouts"
    return "(" + " UNION ALL BY NAME ".join(parts) + ")"


def connect(paths: Paths | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with every view defined over the current files."""
    paths = paths or Paths()
    con = duckdb.connect(":memory:")
    rollout_files = sorted(paths.rollouts.glob("run=*/iteration=*/*.parquet")) if paths.rollouts.exists() else []
    task_files = sorted(paths.tasks.glob("*.parquet")) if paths.tasks.exists() else []
    rollouts = _rollouts_relation(con, rollout_files)
    if task_files:
        tasks = parquet_files_sql(task_files)
    else:
        con.execute(f"CREATE TABLE _empty_tasks ({_TASK_COLUMNS})")
        tasks = "_empty_tasks"
    for view in sorted((SQL_DIR / "views").glob("*.sql")):
        sql = view.read_text().replace("${ROLLOUTS}", rollouts).replace("${TASKS}", tasks)
        con.execute(sql)
    return con


def saved_query(name: str) -> str:
    path = SQL_DIR / "queries" / f"{name}.sql"
    if not path.exists():
        names = sorted(p.stem for p in (SQL_DIR / "queries").glob("*.sql"))
        raise FileNotFoundError(f"no saved query {name!r}; saved queries: {', '.join(names)}")
    return path.read_text()
