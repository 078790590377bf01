"""Evaluating one checkpoint on its own (`conductor eval`, the evaluate flow): resolve what to evaluate,
run every requested method through conductor.evaluate.run, store the rows, log an MLflow run, and
optionally promote the checkpoint to the registered model's `champion`.

    outcome = evaluate_checkpoint(EvalRequest(checkpoint="latest", repeats=4), Paths())

It lives with the runs (iteration/) because it reads them: `latest` is the newest checkpoint of the most
recent run, and a checkpoint trained here is prompted with its run's settings (the run's manifest). The
evaluation itself is conductor.evaluate's one implementation, the same the campaign's iterations call.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from conductor.config import Paths, RunConfig
from conductor.errors import ConfigError, NotFoundError
from conductor.evaluate.methods import Method, parse_methods
from conductor.evaluate.metrics import MethodSummary, oracle_summaries, summarize
from conductor.evaluate.promote import Decision, evaluation_key
from conductor.evaluate.report import format_report
from conductor.evaluate.run import run_evaluation
from conductor.iteration import checkpoints
from conductor.iteration.campaign import load_all_tasks
from conductor.iteration.checkpoints import trained_config
from conductor.iteration.evaluation_record import record_evaluation
from conductor.iteration.selection import balanced_sample, evaluation_tasks
from conductor.iteration.spending import client_kwargs
from conductor.policy.cache import load_policy
from conductor.pool.spec import PoolSpec, load_pool
from conductor.seeds import derive, evaluation_seed
from conductor.sim.server import SimServer
from conductor.store.rollouts import write_rollouts
from conductor.store.schema import RolloutRow
from conductor.tasks.sources import SOURCES

Progress = Callable[[str], None]


class EvalRequest(BaseModel):
    """The inputs of one evaluation, alike for the CLI and the flow (a Prefect parameter is this, as a dict)."""

    model_config = ConfigDict(extra="forbid")

    checkpoint: str = Field(
        default="latest",
        description="A checkpoint folder, 'latest' (the newest of the most recent run), 'latest:<run id>', a "
        "registered model 'models:/NAME@ALIAS' or 'models:/NAME/VERSION', or a Hugging Face id.",
    )
    pool_file: str | None = Field(default=None, description="Pool YAML (default: the run's, else the SIMULATED pool).")
    sources: list[str] | None = Field(default=None, description="Task sources (default: the run's).")
    split: Literal["train", "test"] = Field(default="test", description="Which split (default: the held-out one).")
    tasks: int = Field(default=48, ge=1, description="Tasks evaluated, balanced by domain.")
    repeats: int = Field(default=4, ge=1, description="Repeats of every method (accuracy is their mean ± s.e.).")
    rounds: list[int] = Field(
        default_factory=lambda: [0], description="Recursion rounds for the Conductor, each a method."
    )
    methods: list[str] = Field(default_factory=lambda: ["all"], description="Methods (conductor.evaluate.methods).")
    seed: int = Field(default=0, description="Seeds task draws, sampling and the simulated pool.")
    promote: bool = Field(default=False, description="Move the `champion` alias here if it beats the champion.")
    track: bool = Field(default=True, description="Log an MLflow run with metrics, tables and figures.")


@dataclass
class EvalOutcome:
    eval_id: str
    checkpoint: str
    pool_label: str
    simulated: bool
    methods: list[str]
    summaries: list[MethodSummary]
    rows: list[RolloutRow]
    store_path: str
    seconds: float
    key: str
    mlflow_run_id: str | None = None
    decision: Decision | None = None
    notes: list[str] = field(default_factory=list)

    def table(self, overall_only: bool = False) -> str:
        return format_report(self.summaries, overall_only)

    def small(self) -> dict[str, Any]:
        """What a flow returns: paths and small values."""
        return {
            "eval_id": self.eval_id,
            "checkpoint": self.checkpoint,
            "pool": self.pool_label,
            "store": self.store_path,
            "seconds": self.seconds,
            "mlflow_run_id": self.mlflow_run_id,
            "promotion": self.decision.reason if self.decision else None,
            "summaries": [s.as_dict() for s in self.summaries],
        }


def _tasks(request: EvalRequest, cfg: RunConfig, paths: Paths):
    every = load_all_tasks(cfg, paths)
    if request.split == "test":
        return every, evaluation_tasks(every, request.tasks, request.seed)
    pool = [t for t in every if t.split == "train"]
    return every, balanced_sample(pool, request.tasks, random.Random(derive(request.seed, "eval-train-split")))


def _setting(request: EvalRequest, paths: Paths) -> tuple[str, RunConfig, PoolSpec]:
    """What the request evaluates: the checkpoint, the config it is prompted with (its sources replaced by the
    request's), and the pool."""
    checkpoint = checkpoints.resolve(paths, request.checkpoint).checkpoint  # CheckpointNotFound: one line
    cfg = trained_config(paths, checkpoint)
    if request.sources:
        unknown = [s for s in request.sources if s not in SOURCES]
        if unknown:
            raise ConfigError(f"unknown task source(s) {', '.join(map(repr, unknown))}; known: {', '.join(SOURCES)}")
        cfg = cfg.model_copy(update={"sources": list(request.sources)})
    return checkpoint, cfg, load_pool(request.pool_file or cfg.pool_file)


def evaluation_key_for(request: EvalRequest, paths: Paths) -> str:
    """The evaluation key `evaluate_checkpoint(request)` would record (tasks, pool, repeats, seed), without
    evaluating: a retrain asks it to see whether the champion already has a figure it can be compared with."""
    _, cfg, pool = _setting(request, paths)
    _, tasks = _tasks(request, cfg, paths)
    return evaluation_key([t.id for t in tasks], pool.label, request.repeats, request.seed)


def evaluate_checkpoint(request: EvalRequest, paths: Paths | None = None, progress: Progress = print) -> EvalOutcome:
    """The whole evaluation of one checkpoint. Raises ConductorError for what the user can fix, before any
    worker is called (unknown checkpoint, alias, pool, source or method)."""
    paths = paths or Paths()
    t0 = time.perf_counter()
    checkpoint, cfg, pool = _setting(request, paths)
    methods = parse_methods(request.methods, pool, request.rounds)
    if not pool.simulated:
        methods = [m for m in methods if m.kind != "oracle"]
    progress(f"checkpoint: {checkpoint}  (from {request.checkpoint})")
    progress(f"pool: {pool.label}, workers {list(pool.ids)}")
    every, tasks = _tasks(request, cfg, paths)
    if not tasks:
        raise NotFoundError(f"no {request.split} tasks in sources {cfg.sources}")
    eval_id = f"eval-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S-%f')}"
    progress(
        f"evaluation {eval_id}: {len(methods)} methods x {len(tasks)} {request.split} tasks x {request.repeats} repeats"
    )
    policy = load_policy(checkpoint, cfg.policy) if any(m.kind == "conductor" for m in methods) else None
    kw = client_kwargs(cfg.model_copy(update={"budget_usd": None, "budget_calls": None}), paths, eval_id)
    seed = evaluation_seed(request.seed)
    if pool.simulated:
        with SimServer(pool, every, seed=request.seed) as server:
            rows = _run(policy, tasks, server.pool, cfg, methods, request, seed, eval_id, checkpoint, kw, progress)
    else:
        rows = _run(policy, tasks, pool, cfg, methods, request, seed, eval_id, checkpoint, kw, progress)
    path = write_rollouts(rows, paths.rollouts, eval_id, 0, "eval")
    summaries = summarize(rows, cfg.eval.conductor_usd_per_million_tokens)
    if any(m.kind == "oracle" for m in methods):
        summaries += oracle_summaries(pool, tasks, cfg.rollout.max_steps)
    key = evaluation_key([t.id for t in tasks], pool.label, request.repeats, request.seed)
    outcome = EvalOutcome(
        eval_id=eval_id,
        checkpoint=checkpoint,
        pool_label=pool.label,
        simulated=pool.simulated,
        methods=[m.name for m in methods],
        summaries=summaries,
        rows=rows,
        store_path=str(path),
        seconds=time.perf_counter() - t0,
        key=key,
    )
    if request.track or request.promote:
        record_evaluation(outcome, request, cfg, paths)
    outcome.seconds = time.perf_counter() - t0
    return outcome


def _run(
    policy: Any,
    tasks: list,
    pool: PoolSpec,
    cfg: RunConfig,
    methods: list[Method],
    request: EvalRequest,
    seed: int,
    eval_id: str,
    checkpoint: str,
    kw: dict[str, Any],
    progress: Progress,
) -> list[RolloutRow]:
    return run_evaluation(
        policy,
        tasks,
        pool,
        cfg,
        methods,
        repeats=request.repeats,
        seed=seed,
        run_id=eval_id,
        iteration=0,
        checkpoint=checkpoint,
        client_kwargs=kw,
        progress=progress,
    )
