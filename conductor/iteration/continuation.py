"""Retraining that continues: where a new run starts from, and the config it trains with.

A retrain is a new run (its own run id, manifest and MLflow runs) whose base model is the start checkpoint.
What makes a scheduled retrain differ from the last one: a new seed per generation (`seeds.retrain_seed`),
and training tasks the earlier runs of the lineage did not use while such tasks remain
(`rollout.avoid_tasks_of`). What keeps its figures comparable: the held-out draw keeps the lineage's seed
(`eval.seed`). The start is named as

    latest:<run id>       the newest finished iteration of that run
    latest:<run name>     ... of the newest run of that name (config `name`) with a finished iteration
    models:/NAME@ALIAS    the MLflow registered model version under that alias (the champion), resolved to
                          the checkpoint its run recorded (the tag `checkpoint.path`), or to its artifacts
    <folder>              a checkpoint folder as it is
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
from mlflow.exceptions import MlflowException

from conductor import tracking
from conductor.config import Paths, RunConfig, validate_config
from conductor.config.presets import merge
from conductor.errors import ConfigError, NotFoundError
from conductor.iteration.manifest import read_manifest, run_of_checkpoint
from conductor.seeds import retrain_seed


@dataclass(frozen=True)
class StartPoint:
    """A checkpoint to continue from, and the run that made it (None for a bare folder)."""

    checkpoint: Path
    run_id: str | None
    source: str


def _finished(manifest: dict[str, Any]) -> dict[str, Any] | None:
    its = manifest.get("iterations", {})
    return its[max(its, key=int)] if its else None


def _latest(paths: Paths, name: str) -> StartPoint:
    manifest = read_manifest(paths, name)
    if manifest:
        last = _finished(manifest)
        if last is None:
            raise NotFoundError(f"run {name!r} has no finished iteration to continue from")
        return StartPoint(Path(last["checkpoint"]), name, f"latest:{name}")
    candidates = []
    for m in paths.runs.glob("*/manifest.json"):
        data = json.loads(m.read_text())
        last = _finished(data)
        if last is not None and data.get("config", {}).get("name") == name:
            candidates.append((last.get("finished_at", ""), data["run_id"], last["checkpoint"]))
    if not candidates:
        raise NotFoundError(f"no run with id or name {name!r} has a finished iteration (under {paths.runs})")
    _, run_id, checkpoint = max(candidates)
    return StartPoint(Path(checkpoint), run_id, f"latest:{name}")


def _registered(paths: Paths, uri: str) -> StartPoint:
    name, _, alias = uri.removeprefix("models:/").partition("@")
    if not name or not alias:
        raise ConfigError(f"start {uri!r}: write a registered model as models:/NAME@ALIAS")
    tracking.configure_uri(paths)
    client = mlflow.MlflowClient()
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException as e:
        raise NotFoundError(f"start {uri!r}: no version of registered model {name!r} has alias {alias!r}") from e
    local = None
    if version.run_id:
        local = client.get_run(version.run_id).data.tags.get("checkpoint.path")
    if local and Path(local).is_dir():
        checkpoint = Path(local)
    else:
        checkpoint = Path(mlflow.artifacts.download_artifacts(artifact_uri=version.source))
    return StartPoint(checkpoint, run_of_checkpoint(paths, checkpoint), uri)


def resolve_start_checkpoint(source: str, paths: Paths | None = None) -> StartPoint:
    """The checkpoint `source` names (see the module docstring); NotFoundError when there is none."""
    paths = paths or Paths()
    if source.startswith("latest:"):
        return _latest(paths, source.removeprefix("latest:"))
    if source.startswith("models:/"):
        return _registered(paths, source)
    folder = Path(source).expanduser()
    if folder.is_dir():
        return StartPoint(folder, run_of_checkpoint(paths, folder), source)
    raise ConfigError(f"start {source!r}: give latest:<run id or name>, models:/NAME@ALIAS or a checkpoint folder")


def retrain_config(start: StartPoint, paths: Paths, iterations: int, given: dict[str, Any] | None = None) -> RunConfig:
    """The config of a retrain from `start`: the config of the run that made it (what the checkpoint was trained
    with: prompt, tiny recipe, pool), `given` laid over it, the checkpoint as base model, `iterations`, the next
    generation's seed, the lineage's training tasks avoided and its held-out draw kept."""
    manifest = read_manifest(paths, start.run_id) if start.run_id else {}
    if not manifest and not given:
        raise ConfigError(f"start {start.source!r} is not from a run here: give the run config to train it with")
    base = manifest.get("config", {})
    lineage = manifest.get("continues", {})
    generation = int(lineage.get("generation", 0)) + 1
    root_seed = int(lineage.get("root_seed", base.get("seed", 0)))
    data = merge(base, given or {})
    data["iterations"] = iterations
    data["seed"] = retrain_seed(root_seed, generation)
    data.setdefault("policy", {})["base_model"] = str(start.checkpoint)
    earlier = list(base.get("rollout", {}).get("avoid_tasks_of", []))
    data.setdefault("rollout", {})["avoid_tasks_of"] = [*earlier, *([start.run_id] if start.run_id else [])]
    ev = data.setdefault("eval", {})
    if ev.get("seed") is None:
        ev["seed"] = base.get("eval", {}).get("seed") if base.get("eval", {}).get("seed") is not None else root_seed
    return validate_config(data)


def lineage_record(start: StartPoint, cfg: RunConfig, paths: Paths) -> dict[str, Any]:
    """What a retrain's manifest records under `continues`: where it started, its generation, the root seed,
    and the start's held-out accuracy (to compare the retrain's with)."""
    manifest = read_manifest(paths, start.run_id) if start.run_id else {}
    lineage = manifest.get("continues", {})
    last = _finished(manifest) or {}
    return {
        "source": start.source,
        "checkpoint": str(start.checkpoint),
        "run_id": start.run_id,
        "generation": int(lineage.get("generation", 0)) + 1,
        "root_seed": int(lineage.get("root_seed", manifest.get("config", {}).get("seed", cfg.seed))),
        "start_accuracy": (last.get("eval") or {}).get("conductor"),
    }
