"""Retraining that continues: where a new run starts from, and the config it trains with.

A retrain is a new run (its own run id, manifest and MLflow runs) whose base model is the start checkpoint.
What makes a scheduled retrain differ from the last one: a new seed per generation (`seeds.retrain_seed`),
and training tasks the earlier runs of the lineage did not use while such tasks remain
(`rollout.avoid_tasks_of`). What keeps its figures comparable: the held-out draw keeps the lineage's seed
(`eval.seed`). The start is any checkpoint reference (conductor.iteration.checkpoints, the one resolver):
typically `latest:<run id or name>` or `models:/NAME@champion`, the registered champion. After training, the
retrain's last checkpoint goes through the one evaluation path (`evaluate_and_promote`: conductor eval
--promote's), so the champion alias moves when it is better, and the reason is recorded either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conductor import tracking
from conductor.config import Paths, RunConfig, validate_config
from conductor.config.presets import merge
from conductor.errors import ConfigError
from conductor.iteration import checkpoints
from conductor.iteration.evaluation import EvalRequest, evaluate_checkpoint, evaluation_key_for
from conductor.iteration.manifest import read_manifest
from conductor.seeds import retrain_seed
from conductor.tracking import registry


@dataclass(frozen=True)
class StartPoint:
    """A checkpoint to continue from, and the run that made it (None for a bare folder)."""

    checkpoint: Path
    run_id: str | None
    source: str


def _finished(manifest: dict[str, Any]) -> dict[str, Any] | None:
    its = manifest.get("iterations", {})
    return its[max(its, key=int)] if its else None


def resolve_start_checkpoint(source: str, paths: Paths | None = None) -> StartPoint:
    """The checkpoint `source` names, by the one resolver (conductor.iteration.checkpoints: latest:<run id or
    name>, models:/NAME@ALIAS, a folder, ...); CheckpointNotFound when it names nothing."""
    ref = checkpoints.resolve(paths or Paths(), source)
    return StartPoint(ref.path, ref.run_id, ref.source)


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


def evaluate_and_promote(checkpoint: str, cfg: RunConfig, paths: Paths, progress: Any = print) -> dict[str, Any]:
    """A retrain's last checkpoint through the one evaluation path, offered for promotion: what
    `conductor eval --checkpoint <it> --methods conductor --promote` does, on the lineage's held-out draw
    (`eval.seed`), `eval.tasks` tasks, the run's pool and sources, one repeat. conductor.evaluate.promote decides
    (better than the champion by more than the standard error of the difference, on the same evaluation key).
    A champion with no figure on that key yet (promoted on other tasks) is evaluated first the same way, so the
    comparison is like with like rather than a refusal. Returns the decision and its reason, either way."""
    request = EvalRequest(
        checkpoint=str(checkpoint),
        pool_file=cfg.pool_file,
        sources=list(cfg.sources),
        tasks=cfg.eval.tasks,
        repeats=1,
        methods=["conductor"],
        seed=cfg.eval.seed if cfg.eval.seed is not None else cfg.seed,
        promote=True,
    )
    name = cfg.eval.registered_model
    tracking.configure_uri(paths)
    before = registry.alias_version(name)
    champion_eval = None
    if before is not None:
        key = evaluation_key_for(request, paths)
        if f"eval.{key}.accuracy" not in before.tags:
            uri = f"models:/{name}@{registry.CHAMPION}"
            progress(f"champion {name} version {before.version} has no figure on these tasks: evaluating it first")
            champion_eval = evaluate_checkpoint(request.model_copy(update={"checkpoint": uri}), paths, progress).eval_id
    outcome = evaluate_checkpoint(request, paths, progress)
    decision = outcome.decision
    conductor = next((s for s in outcome.summaries if s.method == "conductor" and s.source == "all"), None)
    return {
        "promoted": bool(decision and decision.promote),
        "reason": decision.reason if decision else "not evaluated for promotion",
        "eval_id": outcome.eval_id,
        "accuracy": conductor.accuracy if conductor else None,
        "champion_before": str(before.version) if before is not None else None,
        "champion_evaluated": champion_eval,
    }
