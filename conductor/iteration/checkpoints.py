"""What a checkpoint reference names: one resolver for `conductor eval` and the evaluate flow
(iteration/evaluation.py), a retrain's start (iteration/continuation.py), and `conductor serve` / `ask`
(serve/checkpoint.py), so the same words mean the same checkpoint everywhere and fail with the same line.

    latest                 the newest checkpoint of the most recently updated run
    latest:<run id>        the newest finished iteration of that run
    latest:<run name>      ... of the newest run of that name (config `name`) with a finished iteration
    models:/NAME@ALIAS     the registered model version (MLflow) under that alias, e.g. the champion
    models:/NAME/VERSION   ... by number; both resolve to the folder it was registered from, else its artifacts
    <folder>               a checkpoint folder, as it is
    <hub id>               a Hugging Face model id (in the cache, or the hub reachable)

A reference that names nothing raises CheckpointNotFound (a NotFoundError): `no checkpoint '<ref>': <why>`,
one line. It lives with the runs (iteration/) because `latest` reads their manifests; registry names go through
conductor.tracking.registry (MLflow is imported only for them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conductor.config import Paths, RunConfig, validate_config
from conductor.errors import CheckpointNotFound, ConductorError
from conductor.iteration.manifest import latest_checkpoint, read_manifest, run_of_checkpoint

LATEST = "latest"
REGISTRY_PREFIX = "models:/"
FORMS = (
    "give a checkpoint folder, latest, latest:<run id or name>, models:/NAME@ALIAS, models:/NAME/VERSION "
    "or a Hugging Face model id"
)


@dataclass(frozen=True)
class CheckpointRef:
    """A resolved reference: what to load (a folder, or a hub id), the run here that made it (None for a folder
    or model from elsewhere: its run's manifest says how it was trained), and the words it was named by."""

    checkpoint: str
    run_id: str | None
    source: str

    @property
    def path(self) -> Path:
        return Path(self.checkpoint)


def _missing(spec: str, why: str) -> CheckpointNotFound:
    return CheckpointNotFound(f"no checkpoint {spec!r}: {why}")


def _finished(manifest: dict[str, Any]) -> dict[str, Any] | None:
    its = manifest.get("iterations", {})
    return its[max(its, key=int)] if its else None


def _latest_of(paths: Paths, spec: str, name: str) -> CheckpointRef:
    if not name:
        raise _missing(spec, f"name the run after `latest:`; {FORMS}")
    manifest = read_manifest(paths, name)
    if manifest:
        last = _finished(manifest)
        if last is None:
            raise _missing(spec, f"run {name!r} has no finished iteration")
        return CheckpointRef(str(last["checkpoint"]), name, spec)
    candidates = []
    for m in paths.runs.glob("*/manifest.json"):
        data = json.loads(m.read_text())
        last = _finished(data)
        if last is not None and data.get("config", {}).get("name") == name:
            candidates.append((last.get("finished_at", ""), data["run_id"], last["checkpoint"]))
    if not candidates:
        raise _missing(spec, f"no run with id or name {name!r} has a finished iteration under {paths.runs}")
    _, run_id, checkpoint = max(candidates)
    return CheckpointRef(str(checkpoint), run_id, spec)


def resolve(paths: Paths, spec: str | Path | None = None) -> CheckpointRef:
    """The checkpoint `spec` names (None is `latest`); CheckpointNotFound when it names nothing."""
    text = LATEST if spec is None else str(spec)
    if text == LATEST:
        found = latest_checkpoint(paths)
        if found is None:
            raise _missing(text, f"none trained yet under {paths.home}: run `conductor demo`, or {FORMS}")
        return CheckpointRef(str(found), run_of_checkpoint(paths, found), text)
    if text.startswith(f"{LATEST}:"):
        return _latest_of(paths, text, text.removeprefix(f"{LATEST}:"))
    if text.startswith(REGISTRY_PREFIX):
        from conductor.tracking import registry  # MLflow is imported only for a registry name

        try:
            folder = registry.resolve_model_uri(paths, text)
        except ConductorError as e:
            raise _missing(text, str(e)) from None
        return CheckpointRef(str(folder), run_of_checkpoint(paths, folder), text)
    folder = Path(text).expanduser()
    if folder.is_dir():
        return CheckpointRef(str(folder), run_of_checkpoint(paths, folder), text)
    if text.startswith((".", "/", "~")) or not text.strip():
        raise _missing(text, f"no such folder; {FORMS}")
    from conductor.policy.model import check_reachable  # torch: only for a hub id

    try:
        check_reachable(text)
    except ConductorError as e:
        raise _missing(text, f"{e}; {FORMS}") from None
    return CheckpointRef(text, None, text)


def trained_config(paths: Paths, checkpoint: str | Path) -> RunConfig:
    """The run config a checkpoint was trained with (its run's manifest), so it is prompted as in training.
    A checkpoint from no known run (a hub id, a folder) is prompted as the paper prompts a real base model
    (`paper-7b`'s settings with that model): the paper's template, 5 steps, the whole question."""
    run_id = run_of_checkpoint(paths, checkpoint)
    if run_id is not None:
        return validate_config(read_manifest(paths, run_id)["config"])
    return validate_config({"preset": "paper-7b", "policy": {"base_model": str(checkpoint)}})
