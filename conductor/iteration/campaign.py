"""A campaign: N iterations of one run, one MLflow parent run with each iteration a nested run (the
evaluation metrics also on the parent, step=iteration), resumable after a kill; its final checkpoint becomes a
version of the registered model.

What makes resume safe: an iteration counts as done only when its entry is in the run's manifest, written
atomically after the iteration's rollouts, checkpoint and evaluation are all on disk. On resume, whatever an
unfinished iteration left in the store is removed first and the iteration is redone from the last finished
checkpoint, so no iteration is lost or duplicated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from conductor import tracking
from conductor.config import TINY_BASE_MODEL, Paths, RunConfig, validate_config
from conductor.config.loading import describe
from conductor.errors import ConfigError, NotFoundError
from conductor.iteration.context import IterationContext
from conductor.iteration.manifest import manifest_path, read_manifest, write_json
from conductor.iteration.spending import BudgetReached
from conductor.iteration.steps import evaluate_step, rollout_step, update_step
from conductor.policy.mlflow_model import ConductorModel
from conductor.policy.model import check_reachable
from conductor.pool.spec import PoolSpec, load_pool
from conductor.sim.faults import fault_config
from conductor.sim.server import SimServer
from conductor.store.rollouts import remove_iteration
from conductor.tasks.io import read_tasks
from conductor.tasks.prepare import prepare_tasks
from conductor.tasks.schema import Task
from conductor.tasks.sources import SOURCES
from conductor.tiny.bootstrap import tiny_checkpoint
from conductor.tracking import registry


@dataclass
class StepRunner:
    """The three steps of an iteration. flows/ swaps in Prefect-task versions of the same functions."""

    rollout: Callable[[IterationContext], dict[str, Any]] = rollout_step
    update: Callable[[IterationContext], dict[str, Any]] = update_step
    evaluate: Callable[[IterationContext, Path], dict[str, Any]] = evaluate_step


def new_run_id(cfg: RunConfig) -> str:
    return f"{cfg.name}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"


def run_iteration(ctx: IterationContext, runner: StepRunner | None = None) -> dict[str, Any]:
    """rollouts -> store -> update -> evaluate, tracked as one MLflow run."""
    runner = runner or StepRunner()
    pool = ctx.pool()
    print(f"iteration {ctx.iteration} of run {ctx.run_id}", flush=True)
    with tracking.iteration_run(
        ctx.paths, ctx.config, ctx.run_id, ctx.iteration, pool.simulated, ctx.mlflow_parent, ctx.flow_run_id
    ) as mlrun:
        tracking.log_params({"checkpoint_in": str(ctx.checkpoint_in), "pool_label": pool.label})
        roll = runner.rollout(ctx)
        tracking.log_metrics({f"rollouts.{k}": v for k, v in roll.items() if isinstance(v, int | float)})
        upd = runner.update(ctx)
        for i, step in enumerate(upd.get("history", [])):
            tracking.log_metrics({f"train.{k}": v for k, v in step.items() if isinstance(v, int | float)}, step=i)
        tracking.log_metrics({f"update.{k}": v for k, v in upd.items() if isinstance(v, int | float)})
        ev = runner.evaluate(ctx, Path(upd["checkpoint"]))
        flat = {f"eval.{k}": v for k, v in ev.items() if isinstance(v, int | float)}
        flat.update({f"eval.{k}": v for k, v in ev.get("singles", {}).items()})
        tracking.log_metrics({k.replace(":", "_"): v for k, v in flat.items()})
        if not ev.get("skipped"):
            tracking.log_table(eval_table(ev), "eval_table.json")
            if ctx.mlflow_parent:  # the learning curve: one point per iteration on the campaign's run
                tracking.log_parent_metrics(ctx.mlflow_parent, curve_metrics(ev), step=ctx.iteration)
        model_uri = log_checkpoint_model(Path(upd["checkpoint"]))
        mlflow_run_id = mlrun.info.run_id
    return {
        "model_uri": model_uri,
        "iteration": ctx.iteration,
        "checkpoint": upd["checkpoint"],
        "rollouts": roll,
        "update": {k: v for k, v in upd.items() if k != "history"},
        "eval": ev,
        "mlflow_run_id": mlflow_run_id,
        "finished_at": datetime.now(UTC).isoformat(),
    }


def curve_metrics(ev: dict[str, Any]) -> dict[str, float | None]:
    """What the parent run charts per iteration: the Conductor's accuracy beside the baselines'."""
    out: dict[str, float | None] = {
        "eval.conductor": ev.get("conductor"),
        "eval.conductor_expected": ev.get("conductor_expected"),
        "eval.best_single": ev.get("best_single"),
        "eval.random": ev.get("random"),
        "eval.oracle": ev.get("oracle"),
        "eval.conductor_parse_failure_rate": ev.get("conductor_parse_failure_rate"),
    }
    return out


def log_checkpoint_model(path: Path, max_mb: float = 200.0) -> str | None:
    """The iteration's checkpoint as an MLflow model (a pyfunc that loads it) when it is small enough to copy
    (the tiny model); otherwise only its path is tagged. The model URI, or None."""
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
    if size > max_mb:
        tracking.log_checkpoint(path, max_mb=0)
        return None
    return registry.log_checkpoint_model(path, ConductorModel())


def register_final(cfg: RunConfig, paths: Paths, result: dict[str, Any]) -> str | None:
    """The campaign's final checkpoint as a new version of `eval.registered_model` (not yet the champion:
    `conductor eval --promote` decides that)."""
    if not result.get("model_uri"):
        return None
    tracking.configure_uri(paths)
    if registry.version_of_checkpoint(cfg.eval.registered_model, result["checkpoint"]):
        return None
    version = registry.register(result["model_uri"], cfg.eval.registered_model, result["checkpoint"])
    print(f"registered {cfg.eval.registered_model} version {version} ({result['checkpoint']})", flush=True)
    return version


def eval_table(ev: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"policy": "conductor", "accuracy": ev.get("conductor")}]
    if ev.get("conductor_expected") is not None:
        rows.append({"policy": "conductor plans (expected)", "accuracy": ev["conductor_expected"]})
    rows += [{"policy": k, "accuracy": v} for k, v in sorted(ev.get("singles", {}).items())]
    if ev.get("random") is not None:
        rows.append({"policy": "random", "accuracy": ev["random"]})
    if ev.get("oracle") is not None:
        rows.append({"policy": "oracle (expected)", "accuracy": ev["oracle"]})
    return rows


@contextmanager
def running_pool(cfg: RunConfig, paths: Paths, run_id: str, tasks: list[Task]) -> Iterator[tuple[PoolSpec, Path]]:
    """The pool for this run: a simulated pool is started on 127.0.0.1 for the run's duration."""
    pool = load_pool(cfg.pool_file)
    run_dir = paths.runs / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    pool_file = run_dir / "pool.yaml"
    if pool.simulated:
        faults = fault_config(cfg.faults)
        if faults.total:
            print(f"pool: injecting faults at {faults.total:.0%} of requests ({cfg.faults})", flush=True)
        with SimServer(pool, tasks, seed=cfg.seed, faults=faults) as server:
            pool_file.write_text(yaml.safe_dump(server.pool.model_dump(mode="json"), sort_keys=False))
            print(f"pool: {pool.label} serving at {server.url}", flush=True)
            yield server.pool, pool_file
    else:
        pool_file.write_text(yaml.safe_dump(pool.model_dump(mode="json"), sort_keys=False))
        yield pool, pool_file


def load_all_tasks(cfg: RunConfig, paths: Paths) -> list[Task]:
    missing = [s for s in cfg.sources if not (paths.tasks / f"{s}.parquet").exists()]
    if missing:
        print(f"prepare: {', '.join(missing)} -> {paths.tasks}", flush=True)
        prepare_tasks(paths.tasks, missing, seed=cfg.seed)
    tasks: list[Task] = []
    for s in cfg.sources:
        tasks.extend(read_tasks(paths.tasks / f"{s}.parquet"))
    return tasks


@dataclass
class CampaignResult:
    run_id: str
    iterations: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def run_campaign(
    cfg: RunConfig,
    paths: Paths | None = None,
    run_id: str | None = None,
    runner: StepRunner | None = None,
    iteration_fn: Callable[[IterationContext], dict[str, Any]] | None = None,
    continues: dict[str, Any] | None = None,
) -> CampaignResult:
    """Run (or resume) `cfg.iterations` iterations. Pass `run_id` of an earlier run to resume it, or to extend
    a finished one (a config that differs from the stored one only by more iterations). `continues` records,
    in the manifest of a new run, what it continues (a retrain: conductor.iteration.continuation)."""
    paths = paths or Paths()
    t0 = time.perf_counter()
    run_id = run_id or new_run_id(cfg)
    manifest = read_manifest(paths, run_id)
    if manifest:
        cfg = continued_config(manifest, cfg)
    done: dict[str, Any] = manifest.get("iterations", {})
    if done and all(str(it) in done for it in range(1, cfg.iterations + 1)):
        print(
            f"run {run_id} has all its {cfg.iterations} iterations: nothing to do (give iterations greater than "
            f"{cfg.iterations} to extend it)",
            flush=True,
        )
    tasks = load_all_tasks(cfg, paths)
    with running_pool(cfg, paths, run_id, tasks) as (pool, pool_file):
        checkpoint = manifest.get("initial_checkpoint") or initial_checkpoint(cfg, paths, tasks, pool)
        parent = manifest.get("mlflow_parent_run_id") or tracking.start_campaign_run(paths, cfg, run_id)
        manifest = {
            **manifest,  # what else a run records (`continues`: the run a retrain continues) is kept
            "run_id": run_id,
            "config": cfg.model_dump(mode="json"),
            "initial_checkpoint": checkpoint,
            "mlflow_parent_run_id": parent,
            "iterations": done,
        }
        if continues is not None:
            manifest["continues"] = continues
        write_json(manifest_path(paths, run_id), manifest)
        results = [done[k] for k in sorted(done, key=int)]
        for it in range(1, cfg.iterations + 1):
            if str(it) in done:
                checkpoint = done[str(it)]["checkpoint"]
                continue
            remove_iteration(paths.rollouts, run_id, it)  # leftovers of a killed attempt
            ctx = IterationContext(
                run_id=run_id,
                iteration=it,
                config=cfg,
                home=paths.home,
                pool_file=pool_file,
                checkpoint_in=Path(checkpoint),
                mlflow_parent=parent,
            )
            try:
                result = (iteration_fn or (lambda c: run_iteration(c, runner)))(ctx)
            except BudgetReached as e:
                remove_iteration(paths.rollouts, run_id, it)
                print(f"stopping before iteration {it}: {e}", flush=True)
                break
            done[str(it)] = result
            write_json(manifest_path(paths, run_id), manifest)
            results.append(result)
            checkpoint = result["checkpoint"]
            if result["rollouts"].get("budget_exhausted"):
                print(
                    f"stopping after iteration {it}: the run's budget is spent (budget_usd={cfg.budget_usd}, "
                    f"budget_calls={cfg.budget_calls}); rollouts it could not start are recorded as budget faults",
                    flush=True,
                )
                break
        if results and results[-1].get("iteration") == cfg.iterations:
            register_final(cfg, paths, results[-1])
        tracking.end_campaign_run(parent)
    return CampaignResult(run_id=run_id, iterations=results, seconds=time.perf_counter() - t0)


def continued_config(manifest: dict[str, Any], cfg: RunConfig) -> RunConfig:
    """The config a run on disk goes on with, given the config it is asked to run with: the stored one, with
    the asked number of iterations when only that differs (extending, or shortening to no fewer than it has
    finished). Any other difference is ignored, and said: an iteration's settings never change mid-run."""
    stored = validate_config(manifest["config"])
    run_id = manifest.get("run_id", "?")
    asked = cfg.model_dump(mode="json")
    kept = stored.model_dump(mode="json")
    if asked == kept:
        return stored
    differ = sorted(k for k in asked if k != "iterations" and asked[k] != kept.get(k))
    if differ:
        print(
            f"resume: run {run_id} goes on with the config it was started with; given values of "
            f"{', '.join(differ)} are ignored (only iterations may change: start a new run, or retrain from it, to "
            "change the rest)",
            flush=True,
        )
    if cfg.iterations == stored.iterations:
        return stored
    finished = len(manifest.get("iterations", {}))
    if cfg.iterations < finished:
        raise ConfigError(
            f"run {run_id} has {finished} finished iterations: it cannot be shortened to {cfg.iterations}"
        )
    if cfg.iterations > stored.iterations:
        print(f"extending run {run_id} from {stored.iterations} to {cfg.iterations} iterations", flush=True)
        if stored.train.schedule_steps:
            print(
                f"  note: its lr schedule spans train.schedule_steps={stored.train.schedule_steps} optimizer steps "
                "and stays at its end value past them",
                flush=True,
            )
    return stored.model_copy(update={"iterations": cfg.iterations})


def initial_checkpoint(cfg: RunConfig, paths: Paths, tasks: list[Task], pool: PoolSpec) -> str:
    """What the run starts from. The one seam to the tiny recipe: `policy.base_model: tiny` is built and
    warm-started here (conductor.tiny); any other base model (an HF id or a folder) is used as it is."""
    if cfg.policy.base_model == TINY_BASE_MODEL:
        return str(tiny_checkpoint(cfg, paths, tasks, pool))
    return cfg.policy.base_model


def preflight(cfg: RunConfig, paths: Paths, resume: str | None = None) -> RunConfig:
    """What a campaign can check before it starts, so a user's mistake is one line and not a failed flow run:
    the run to resume exists (its stored config is then the one checked and returned), the task sources are
    known, the pool file loads, and a base model other than 'tiny' is a folder, cached, or on a reachable hub.
    Raises ConductorError."""
    manifest: dict[str, Any] = {}
    if resume is not None:
        manifest = read_manifest(paths, resume)
        if not manifest:
            raise NotFoundError(f"no run {resume!r} to resume: {manifest_path(paths, resume)} does not exist")
        stored = validate_config(manifest["config"])
        # only an explicitly given `iterations` (--set iterations=N) extends a run; a default one does not
        asked = cfg.iterations if "iterations" in cfg.model_fields_set else stored.iterations
        cfg = continued_config(manifest, stored.model_copy(update={"iterations": asked}))
    unknown = [s for s in cfg.sources if s not in SOURCES]
    if unknown:
        raise ConfigError(f"unknown task source(s) {', '.join(map(repr, unknown))}; known: {', '.join(SOURCES)}")
    pool = load_pool(cfg.pool_file)
    if cfg.faults:
        if not pool.simulated:
            raise ConfigError("faults are injected by the SIMULATED pool only: this run's pool is real")
        try:
            fault_config(cfg.faults)
        except ValidationError as e:
            raise ConfigError(describe(e).replace("invalid run config", "invalid faults")) from e
    if cfg.distributed.backend == "dask":
        local_only = [
            name
            for name, on in (
                ("budget_usd", cfg.budget_usd is not None),
                ("budget_calls", cfg.budget_calls is not None),
                ("cache", cfg.cache),
                ("rollout.recursion_rounds", cfg.rollout.recursion_rounds > 0),
            )
            if on
        ]
        if local_only:
            raise ConfigError(
                f"distributed.backend 'dask' does not yet support {', '.join(local_only)}: they count or cache "
                "worker calls in one process (use backend 'local')"
            )
    done = manifest.get("iterations", {})
    start = done[max(done, key=int)]["checkpoint"] if done else manifest.get("initial_checkpoint")
    start = start or cfg.policy.base_model
    if start != TINY_BASE_MODEL:
        check_reachable(start)
    return cfg
