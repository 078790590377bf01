"""One rollout schema: RolloutRow is the source, ROLLOUT_SCHEMA is derived, and nothing is dropped on the way."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from pydantic import BaseModel, ValidationError
from store_samples import full_row, full_step

from conductor.store.columns import Arrow, model_columns
from conductor.store.rollouts import read_rollouts, rows_from_table, rows_to_table, write_rollouts
from conductor.store.schema import ROLLOUT_SCHEMA, RolloutRow
from conductor.store.steps import STEP_COLUMNS
from conductor.workflow.result import StepResult


def _defaults_left(model: BaseModel) -> list[str]:
    fields = type(model).model_fields
    return [
        n
        for n, f in fields.items()
        if not f.is_required() and getattr(model, n) == f.get_default(call_default_factory=True)
    ]


def test_the_samples_set_every_field():
    # a field added to RolloutRow or StepResult must be given a value here, so the round trip below covers it
    assert _defaults_left(full_row()) == []
    assert _defaults_left(full_step(1)) == []


def test_the_parquet_schema_is_the_rows_fields_in_order():
    assert ROLLOUT_SCHEMA.names == list(RolloutRow.model_fields)
    assert list(STEP_COLUMNS) == list(StepResult.model_fields)
    steps = ROLLOUT_SCHEMA.field("steps").type
    assert [f.name for f in steps] == list(StepResult.model_fields)
    assert all(pa.types.is_list(f.type) for f in steps)  # one list per step field
    # types the views and saved queries rely on
    assert ROLLOUT_SCHEMA.field("iteration").type == pa.int32()
    assert ROLLOUT_SCHEMA.field("pool").type == pa.list_(pa.int32())
    assert steps.field("worker").type == pa.list_(pa.int32())
    assert steps.field("cost_usd").type == pa.list_(pa.float64())


def test_every_field_survives_a_write_and_a_read(tmp_path):
    row = full_row()
    write_rollouts([row], tmp_path, "r", 2, "eval")
    table = read_rollouts(tmp_path)
    assert table.schema.equals(ROLLOUT_SCHEMA)
    (back,) = rows_from_table(table)
    assert back == row
    assert back.steps[1].access == (0,) and back.steps[0].nested == row.steps[0].nested


def test_unknown_fields_are_refused_not_dropped():
    with pytest.raises(ValidationError, match="extra"):
        RolloutRow.model_validate({**full_row().model_dump(), "new_column": 1})

    class Wider(RolloutRow):
        model_config = {"extra": "allow"}

    with pytest.raises(TypeError, match="only RolloutRow"):
        rows_to_table([Wider.model_validate({**full_row().model_dump(), "new_column": 1})])
    step = full_step(0)
    step.messages.append({"role": "assistant", "content": "x", "name": "tool"})
    with pytest.raises(ValueError, match="refusing to drop"):
        rows_to_table([full_row().model_copy(update={"steps": [step]})])


def test_a_field_without_a_column_rule_stops_the_schema():
    class Loose(BaseModel):
        a: int
        b: dict[str, Any]

    with pytest.raises(TypeError, match=r"Loose\.b"):
        model_columns(Loose)
    assert model_columns(Loose, {"b": Arrow(pa.string())})["b"].type == pa.string()
    with pytest.raises(TypeError, match="no field"):
        model_columns(Loose, {"b": Arrow(pa.string()), "gone": Arrow(pa.string())})
