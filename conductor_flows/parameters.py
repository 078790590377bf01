"""The run config as typed flow parameters: the form the Prefect UI shows for a deployment.

`RunParameters` has every field of `RunConfig` (and of each of its sections), with its type, its bounds and
its help text, so the UI renders a real form and the server rejects a misspelt field or a value out of range
before a run is created. Each field is optional: a blank field is *not given*, so a `preset` chosen in the form
is laid under what was filled in exactly as `--set preset=...` lays it under the other `--set`s on the command
line (`to_run_config`). Pre-filled defaults would count as given and silently beat the preset; that is why the
default is named in each field's help text instead ("blank: ..."). Built from `RunConfig` itself, so a new
setting appears in the form without a change here.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo

from conductor.config import PRESETS, RunConfig, validate_config
from conductor.config.loading import describe
from conductor.errors import ConfigError


def _section(annotation: Any) -> type[BaseModel] | None:
    """The config section a field holds (`PolicyConfig`, or `TinyConfig` of `TinyConfig | None`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else None
    return None


def _help(info: FieldInfo, section: bool) -> str:
    text = (info.description or "").strip()
    if section or info.default is None:
        return text if section else f"{text} Blank: the preset's value, else none.".strip()
    default = info.get_default(call_default_factory=True)
    return f"{text} Blank: the preset's value, else {default!r}.".strip()


def optional_model(model: type[BaseModel], name: str) -> type[BaseModel]:
    """`model` with every field optional (None = not given), nested sections likewise; types, bounds and
    help text kept, unknown fields still errors."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        section = _section(info.annotation)
        if section is not None:
            annotation: Any = optional_model(section, f"{section.__name__}Parameters")
        else:
            annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        # the preset is a choice in the form (an enum in the schema); its name is checked where it is applied
        extra: dict[str, Any] | None = {"enum": [*PRESETS, None]} if field_name == "preset" else None
        fields[field_name] = (
            annotation | None,
            Field(default=None, description=_help(info, section is not None), json_schema_extra=extra),
        )
    doc = (model.__doc__ or "").strip()
    out: type[BaseModel] = create_model(name, __config__=ConfigDict(extra="forbid"), __doc__=doc, **fields)
    return out


if TYPE_CHECKING:

    class RunParameters(BaseModel):
        """Statically a model; at run time built from RunConfig (below)."""

else:
    RunParameters = optional_model(RunConfig, "RunParameters")


def given(parameters: BaseModel | dict[str, Any] | None) -> dict[str, Any]:
    """What was filled in, as the nested dict a config file would hold (blank fields left out)."""
    if parameters is None:
        return {}
    if isinstance(parameters, BaseModel):
        return parameters.model_dump(mode="json", exclude_none=True)
    try:
        return RunParameters.model_validate(parameters).model_dump(mode="json", exclude_none=True)
    except ValidationError as e:
        raise ConfigError(describe(e)) from e


def to_run_config(parameters: BaseModel | dict[str, Any] | None) -> RunConfig:
    """The run config the CLI would build from the same values: presets laid under, validated (ConfigError)."""
    return validate_config(given(parameters))


def as_parameters(data: dict[str, Any] | RunConfig) -> RunParameters:
    """A config (everything given) or a dict of given fields as the flows' typed parameter (ConfigError)."""
    if isinstance(data, RunConfig):
        data = data.model_dump(mode="json")
    try:
        return RunParameters.model_validate(data)
    except ValidationError as e:
        raise ConfigError(describe(e)) from e
