"""Prepare: load each source and write it as `<out_dir>/<source>.parquet` (plain Python, no Prefect).

conductor_flows/prepare.py wraps `prepare_source` in a cached Prefect task; its cache key is the inputs plus
`source_fingerprint`, which changes when the loader or the package holding the data changes, so an
unchanged source is never prepared twice and a changed one always is.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from pathlib import Path

from conductor.tasks.io import write_tasks
from conductor.tasks.schema import Task
from conductor.tasks.sources import SOURCES, load_source

SCHEMA_VERSION = "1"  # bump when Task's columns change


def source_fingerprint(name: str) -> str:
    """'<name>:loader=<v>:schema=<v>:<package>==<version>': what the prepared file depends on besides
    the inputs (out_dir, seed)."""
    info = SOURCES[name]
    parts = [name, f"loader={info.loader_version}", f"schema={SCHEMA_VERSION}"]
    if info.package:
        try:
            parts.append(f"{info.package}=={importlib.metadata.version(info.package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{info.package}==missing")
    return ":".join(parts)


def output_path(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / f"{name}.parquet"


def prepare_source(name: str, out_dir: str | Path, seed: int = 0) -> Path:
    """Load one source and write its Parquet file; returns the file's path."""
    tasks: list[Task] = load_source(name, seed=seed)
    if not tasks:
        raise RuntimeError(f"source {name!r} produced no tasks")
    return write_tasks(tasks, output_path(out_dir, name))


def prepare_tasks(out_dir: str | Path, sources: Iterable[str], seed: int = 0) -> Path:
    """Prepare every named source into out_dir (always re-done: caching is the flow's job). Returns out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in sources:
        prepare_source(name, out, seed)
    return out
