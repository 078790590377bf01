"""Reading a run config: a YAML or TOML file (optional) plus `section.field=value` overrides.

Everything that can go wrong here is the user's to fix, so it is raised as one `ConfigError` whose message
names the field or the file: `conductor` prints it as one line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from conductor.config.settings import RunConfig
from conductor.errors import ConfigError


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    """`data` with `a.b.c` set to `value`, creating the sections on the way."""
    parts = key.split(".")
    cur = data
    for p in parts[:-1]:
        nxt = cur.get(p)
        if not isinstance(nxt, dict):
            nxt = cur[p] = {}
        cur = nxt
    cur[parts[-1]] = value


def read_config_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as e:
        raise ConfigError(f"cannot read run config {str(p)!r}: {e.strerror or e}") from e
    try:
        data = tomllib.loads(text) if p.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as e:
        raise ConfigError(f"run config {str(p)!r} is not valid {'TOML' if p.suffix == '.toml' else 'YAML'}: {e}") from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"run config {str(p)!r} must hold a mapping of fields, not {type(data).__name__}")
    return data


def describe(err: ValidationError) -> str:
    """A pydantic error in one line: each failing field with its reason."""
    parts = []
    for e in err.errors():
        where = ".".join(str(x) for x in e["loc"]) or "config"
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if e["loc"] else msg)
    return "invalid run config: " + "; ".join(parts)


def validate_config(data: dict[str, Any]) -> RunConfig:
    """`RunConfig.model_validate` with its error as a ConfigError (presets are applied inside, as always)."""
    try:
        return RunConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(describe(e)) from e


def load_run_config(path: str | Path | None = None, overrides: list[str] | None = None) -> RunConfig:
    """YAML or TOML file (optional) plus `a.b=value` overrides; values are parsed as YAML scalars."""
    data: dict[str, Any] = read_config_file(path) if path is not None else {}
    return validate_config(read_overrides(overrides, data))


def read_overrides(overrides: list[str] | None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """`a.b=value` items set into `data` (a new dict by default), values parsed as YAML scalars, unvalidated:
    what was given, for entries that lay it over another config (a retrain over its start's)."""
    data = {} if data is None else data
    for item in overrides or []:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not key=value")
        k, v = item.split("=", 1)
        try:
            value = yaml.safe_load(v)
        except yaml.YAMLError as e:
            raise ConfigError(f"override {item!r}: the value is not a YAML scalar ({e})") from e
        set_dotted(data, k.strip(), value)
    return data
