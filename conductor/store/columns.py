"""Arrow columns derived from pydantic fields: the rule that makes a pydantic model the one schema.

A Parquet schema is never written by hand next to its model. Each column's type follows from its field's
annotation (str, int, float, bool, datetime, lists of these, `X | None`), or from an `Arrow` marker on the
field where the default would be wrong (a 32-bit int) or where the value needs its own codec (a nested
record). A field no rule covers (`Any`, a dict) stops the import with a TypeError naming it, so a field
cannot be added to a model and left out of the store unnoticed.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

import pyarrow as pa
from pydantic import BaseModel


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Arrow:
    """A column's Arrow type, and how a field value becomes a cell (`encode`) and back (`decode`)."""

    type: pa.DataType
    encode: Callable[[Any], Any] = _same
    decode: Callable[[Any], Any] = _same


Int32 = Annotated[int, Arrow(pa.int32())]
Float32 = Annotated[float, Arrow(pa.float32())]

_PLAIN: dict[Any, pa.DataType] = {
    str: pa.string(),
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
    datetime: pa.timestamp("us", tz="UTC"),
}


def _marker(metadata: list[Any] | tuple[Any, ...]) -> Arrow | None:
    return next((m for m in metadata if isinstance(m, Arrow)), None)


def arrow_type(annotation: Any, where: str = "field") -> pa.DataType:
    """The Arrow type of one annotation; TypeError (naming `where`) when no rule covers it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *meta = get_args(annotation)
        mark = _marker(meta)
        return mark.type if mark is not None else arrow_type(inner, where)
    if origin in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        if len(kept) == 1:
            return arrow_type(kept[0], where)
    if origin in (list, tuple):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if len(args) == 1:
            return pa.list_(arrow_type(args[0], where))
    if annotation in _PLAIN:
        return _PLAIN[annotation]
    raise TypeError(f"{where}: no Arrow column for {annotation!r}; give the field an Arrow(...) marker")


def model_columns(model: type[BaseModel], overrides: dict[str, Arrow] | None = None) -> dict[str, Arrow]:
    """Every field of `model`, in order, as a column. `overrides` set columns for fields of a model this
    package does not own; an override naming no field is an error (a renamed field must not go unseen)."""
    overrides = overrides or {}
    unknown = set(overrides) - set(model.model_fields)
    if unknown:
        raise TypeError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    out: dict[str, Arrow] = {}
    for name, info in model.model_fields.items():
        mark = overrides.get(name) or _marker(info.metadata)
        where = f"{model.__name__}.{name}"
        out[name] = mark if mark is not None else Arrow(arrow_type(info.annotation, where))
    return out


def schema_of(columns: dict[str, Arrow]) -> pa.Schema:
    return pa.schema([pa.field(name, col.type) for name, col in columns.items()])
