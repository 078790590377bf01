"""DuckDB over the Parquet store: an in-memory database whose views (sql/views/*.sql) read the files.

Parquet stays the system of record; DuckDB holds no state of its own, so any number of readers can query
while one writer per file appends new parts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from conductor.config import Paths
from conductor.store.schema import ROLLOUT_SCHEMA

SQL_DIR = Path(__file__).resolve().parent / "sql"  # package data: the wheel ships the views and saved queries

_TASK_COLUMNS = (
    "id VARCHAR, source VARCHAR, domain VARCHAR, question VARCHAR, answer VARCHAR, verifier VARCHAR, "
    "verifier_data VARCHAR, difficulty DOUBLE, split VARCHAR, real BOOLEAN"
)


def _files_expr(files: list[Path]) -> str:
    quoted = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{quoted}], union_by_name = true)"


def _empty_rollouts(con: duckdb.DuckDBPyConnection) -> str:
    con.register("_empty_rollouts", ROLLOUT_SCHEMA.empty_table())
    return "_empty_rollouts"


def connect(paths: Paths | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with every view defined over the current files."""
    paths = paths or Paths()
    con = duckdb.connect(":memory:")
    rollout_files = sorted(paths.rollouts.glob("run=*/iteration=*/*.parquet")) if paths.rollouts.exists() else []
    task_files = sorted(paths.tasks.glob("*.parquet")) if paths.tasks.exists() else []
    rollouts = _files_expr(rollout_files) if rollout_files else _empty_rollouts(con)
    if task_files:
        tasks = _files_expr(task_files)
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
