"""Store parts written before the typed layout (LAYOUT 1): `steps` and `pool` as JSON text.

They are never rewritten; they are read through one conversion, in SQL, used by both readers: the DuckDB
views (conductor.store.db puts it under the `rollouts` view for those files only) and the Python readers
(read_files runs it in DuckDB, then conforms the result to ROLLOUT_SCHEMA). The target types are derived from
ROLLOUT_SCHEMA, so the conversion follows the schema. A step field missing from an old record (written
before the field existed) comes back null in SQL and as StepResult's default in Python. Reading such parts
costs what it always cost (parsing the JSON); the typed layout's speed is for parts written since.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from conductor.store.schema import ROLLOUT_SCHEMA
from conductor.store.steps import STEP_COLUMNS, STEPS_TYPE

_SCALARS = {
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.string(): "VARCHAR",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}


def duckdb_type(t: pa.DataType) -> str:
    """DuckDB's name for an Arrow type of the store."""
    if pa.types.is_list(t):
        return f"{duckdb_type(t.value_type)}[]"
    if pa.types.is_struct(t):
        return "STRUCT(" + ", ".join(f'"{f.name}" {duckdb_type(f.type)}' for f in t) + ")"
    return _SCALARS[t]


def _json_structure(t: pa.DataType) -> Any:
    """The structure argument of DuckDB's from_json for an Arrow type."""
    if pa.types.is_list(t):
        return [_json_structure(t.value_type)]
    if pa.types.is_struct(t):
        return {f.name: _json_structure(f.type) for f in t}
    return duckdb_type(t)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_files_sql(files: list[Path]) -> str:
    return "read_parquet([" + ", ".join(_literal(str(f)) for f in files) + "], union_by_name = true)"


def is_legacy(path: Path) -> bool:
    """Written before the typed layout: its steps column is text (only the file's footer is read)."""
    schema = pq.read_schema(path)
    return schema.get_field_index("steps") >= 0 and pa.types.is_string(schema.field("steps").type)


def upgrade_sql(relation: str) -> str:
    """A SELECT over a relation of legacy parts that yields the typed `steps` and `pool` columns."""
    one_step = pa.struct([pa.field(name, col.type) for name, col in STEP_COLUMNS.items()])
    structure = _literal(json.dumps([_json_structure(one_step)]))
    fields = ", ".join(f"'{name}': list_transform(__steps, lambda s: s.\"{name}\")" for name in STEP_COLUMNS)
    pool_type = ROLLOUT_SCHEMA.field("pool").type
    return (
        "SELECT * EXCLUDE (__steps) REPLACE ("
        f"CAST({{{fields}}} AS {duckdb_type(STEPS_TYPE)}) AS steps, "
        f"CAST(from_json(coalesce(pool, '[]'), {_literal(json.dumps(_json_structure(pool_type)))}) "
        f"AS {duckdb_type(pool_type)}) AS pool) "
        f"FROM (SELECT *, coalesce(from_json(steps, {structure}), []) AS __steps FROM {relation})"
    )


def conform(table: pa.Table) -> pa.Table:
    """A table with the store's columns, in order and of its types; a column it lacks is null."""
    arrays = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in ROLLOUT_SCHEMA
    ]
    return pa.Table.from_arrays(arrays, schema=ROLLOUT_SCHEMA)


def read_legacy(path: Path) -> pa.Table:
    """One legacy part as a table of ROLLOUT_SCHEMA."""
    with duckdb.connect(":memory:") as con:
        table = con.sql(upgrade_sql(parquet_files_sql([path]))).to_arrow_table()
    return conform(table)
