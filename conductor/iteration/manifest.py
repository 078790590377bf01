"""A run on disk: its manifest (the config it started with, its initial checkpoint, each finished iteration)
under <home>/runs/<run_id>/manifest.json. What resume reads, and how a checkpoint finds the run that made it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conductor.config import Paths


def manifest_path(paths: Paths, run_id: str) -> Path:
    return paths.runs / run_id / "manifest.json"


def read_manifest(paths: Paths, run_id: str) -> dict[str, Any]:
    p = manifest_path(paths, run_id)
    return json.loads(p.read_text()) if p.exists() else {}


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON atomically (a temporary file, then a rename): readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)


def latest_checkpoint(paths: Paths) -> Path | None:
    """The newest checkpoint of the most recently updated run (what `conductor ask` uses by default)."""
    manifests = sorted(paths.runs.glob("*/manifest.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for m in manifests:
        data = json.loads(m.read_text())
        its = data.get("iterations", {})
        if its:
            return Path(its[max(its, key=int)]["checkpoint"])
    return None


def run_of_checkpoint(paths: Paths, checkpoint: str | Path) -> str | None:
    """The run whose checkpoints folder holds `checkpoint`, if any (its manifest says how it was trained)."""
    for m in paths.runs.glob("*/manifest.json"):
        if str(checkpoint).startswith(str(paths.checkpoints / m.parent.name)):
            return m.parent.name
    return None
