"""A rollout's steps as typed Parquet columns: one list per StepResult field (a struct of lists).

    steps: struct<index: list<int32>, worker: list<int32>, subtask: list<string>, ..., nested: list<string>>

Entry i of every list belongs to step i. Why a struct of lists rather than a list of structs: DuckDB reads
only the struct fields a query names (projection pushdown into a struct column), but reads a list of structs
whole. A list of structs would make `SELECT worker, sum(cost_usd) FROM steps ...` read every message and
output (about 60 times slower on synthetic stores, docs/performance.md, "Store"); this layout reads the two
lists it needs.

The fields are StepResult's (conductor/workflow/result.py), derived from it: a new field of a plain type is
stored without a change here; one of a type no rule covers stops the import. Three need a codec:
  - access: "all", "none", or the earlier positions as compact JSON ("[0,2]"), as the steps view always showed;
  - messages: list<struct<role, content>>; a message with any other key is refused, never cut down;
  - nested: the nested workflow's record (conductor.workflow.rounds.RoundsRecord, recursive) as compact JSON
    text (as DuckDB prints JSON, so parts of both layouts show the same text).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from conductor.store.columns import Arrow, model_columns
from conductor.workflow.result import StepResult

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])


def _access_text(access: Any) -> str:
    if isinstance(access, str):
        return access
    return json.dumps([int(p) for p in access], separators=(",", ":"))


def _access_value(text: str) -> Any:
    return tuple(json.loads(text)) if text.startswith("[") else text


def _messages(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    for m in messages:
        if set(m) != {"role", "content"}:
            raise ValueError(f"a stored message holds exactly role and content, not {sorted(m)}; refusing to drop")
    return messages


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _json_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


STEP_COLUMNS: dict[str, Arrow] = model_columns(
    StepResult,
    {
        "index": Arrow(pa.int32()),
        "worker": Arrow(pa.int32()),
        "access": Arrow(pa.string(), _access_text, _access_value),
        "messages": Arrow(pa.list_(MESSAGE), _messages),
        "nested": Arrow(pa.string(), _json_text, _json_value),
    },
)
STEPS_TYPE = pa.struct([pa.field(name, pa.list_(col.type)) for name, col in STEP_COLUMNS.items()])


def encode_steps(steps: list[StepResult]) -> dict[str, list[Any]]:
    """Steps as one list per field (the `steps` cell of a rollout)."""
    return {name: [col.encode(getattr(s, name)) for s in steps] for name, col in STEP_COLUMNS.items()}


def decode_steps(cell: dict[str, list[Any] | None] | None) -> list[StepResult]:
    """A `steps` cell back to StepResults. A field missing or null (a store part written before the field
    existed) takes StepResult's default."""
    if not cell:
        return []
    n = max((len(v) for v in cell.values() if v is not None), default=0)
    out = []
    for i in range(n):
        fields = {}
        for name, col in STEP_COLUMNS.items():
            values = cell.get(name)
            if values is not None and i < len(values) and values[i] is not None:
                fields[name] = col.decode(values[i])
        out.append(StepResult.model_validate(fields))
    return out


def step_values(table: pa.Table, name: str) -> pa.Array:
    """One step field's values over every rollout of `table`, flattened (e.g. every step's cost_usd)."""
    steps = table.column("steps").combine_chunks()
    if not isinstance(steps, pa.StructArray):  # an empty table gives an empty chunked array of the type
        steps = pa.array([], type=STEPS_TYPE)
    lists = steps.field(name)
    return lists.flatten()
