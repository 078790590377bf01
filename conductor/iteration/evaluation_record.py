"""Where an evaluation is recorded beyond the store: one MLflow run (parameters, a metric per method and
source, the summary and per-task tables, the figures as images) and, with --promote, the registry: the
checkpoint registered as a version of `eval.registered_model`, its accuracy on this evaluation key tagged on
the version, and the `champion` alias moved when conductor.evaluate.promote says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conductor import tracking
from conductor.config import Paths, RunConfig
from conductor.evaluate.promote import Decision, decide
from conductor.tracking import registry

# `outcome` and `request` below are conductor.iteration.evaluation's EvalOutcome and EvalRequest (typed as
# Any here: that module imports this one).
PER_TASK_COLUMNS = ("task_id", "source", "domain", "policy", "repeat", "correct", "infra_fault", "n_steps", "cost_usd")


def _metric_name(method: str, source: str, what: str) -> str:
    name = f"{what}.{method}" if source == "all" else f"{what}.{method}.{source}"
    return name.replace(":", "_").replace("+", "_")


def metrics_of(outcome: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for s in outcome.summaries:
        if s.accuracy is not None:
            out[_metric_name(s.method, s.source, "accuracy")] = s.accuracy
        if s.stderr is not None:
            out[_metric_name(s.method, s.source, "stderr")] = s.stderr
        if s.source == "all" and s.method != "oracle":
            for what, v in (
                ("usd_per_question", s.total_usd),
                ("calls_per_question", s.calls),
                ("tokens_per_question", s.worker_tokens),
                ("conductor_tokens_per_question", s.conductor_tokens),
                ("latency_p50", s.latency_p50),
                ("latency_p95", s.latency_p95),
                ("infra_faults", float(s.infra_faults)),
            ):
                out[_metric_name(s.method, "all", what)] = v
    return out


def record_evaluation(outcome: Any, request: Any, cfg: RunConfig, paths: Paths) -> None:
    import mlflow

    from conductor.evaluate import figures

    tags = {
        "conductor.checkpoint": outcome.checkpoint,
        "conductor.eval_id": outcome.eval_id,
        "conductor.eval_key": outcome.key,
        "conductor.pool": "SIMULATED" if outcome.simulated else "real",
        "pool.simulated": str(outcome.simulated).lower(),
    }
    with tracking.evaluation_run(paths, cfg.name, outcome.eval_id, tags) as run:
        tracking.log_params(
            {
                **{k: v if not isinstance(v, list) else ",".join(map(str, v)) for k, v in request.model_dump().items()},
                "resolved_checkpoint": outcome.checkpoint,
                "pool_label": outcome.pool_label,
                "methods_resolved": ",".join(outcome.methods),
            }
        )
        tracking.log_metrics(metrics_of(outcome))
        tracking.log_table([s.as_dict() for s in outcome.summaries], "evaluation.json")
        tracking.log_table([{k: getattr(r, k) for k in PER_TASK_COLUMNS} for r in outcome.rows], "per_task.json")
        for name, fig in (
            ("accuracy_vs_cost.png", figures.accuracy_vs_cost(outcome.summaries)),
            ("accuracy_by_source.png", figures.accuracy_by_source(outcome.summaries)),
            ("plan_shapes.png", figures.plan_shapes(outcome.rows)),
        ):
            tracking.log_figure(fig, name)
            figures.plt.close(fig)
        outcome.mlflow_run_id = run.info.run_id
        if request.promote:
            outcome.decision = promote(outcome, cfg, paths)
            mlflow.set_tag("conductor.promotion", outcome.decision.reason)


def _conductor_figure(outcome: Any) -> tuple[float, float | None] | None:
    s = next((s for s in outcome.summaries if s.method == "conductor" and s.source == "all"), None)
    if s is None or s.accuracy is None:
        return None
    return s.accuracy, s.stderr


def promote(outcome: Any, cfg: RunConfig, paths: Paths) -> Decision:
    """Register the evaluated checkpoint (if it is not a version yet), tag its figures, and move `champion`
    when it beats the champion on the same evaluation key. Called inside the evaluation's MLflow run."""
    from conductor.policy.mlflow_model import ConductorModel

    name = cfg.eval.registered_model
    mine = _conductor_figure(outcome)
    if mine is None:
        return Decision(False, "not promoted: the evaluation has no `conductor` method figure")
    version = registry.version_of_checkpoint(name, outcome.checkpoint)
    if version is None:
        uri = registry.log_checkpoint_model(Path(outcome.checkpoint), ConductorModel())
        version = registry.register(uri, name, outcome.checkpoint)
    acc_tag, se_tag = f"eval.{outcome.key}.accuracy", f"eval.{outcome.key}.stderr"
    registry.tag_version(name, version, {acc_tag: str(mine[0]), se_tag: str(mine[1] or 0.0)})
    current = registry.alias_version(name)
    if current is None:
        decision = decide(mine, None)
    elif str(current.version) == version:
        return Decision(False, f"{name} version {version} is already the champion")
    elif acc_tag not in current.tags:
        return Decision(
            False,
            f"not promoted: champion {name} version {current.version} has no evaluation on these tasks and pool "
            f"(key {outcome.key}); evaluate it first: conductor eval --checkpoint models:/{name}@champion "
            "with the same options",
        )
    else:
        decision = decide(mine, (float(current.tags[acc_tag]), float(current.tags.get(se_tag, 0.0))))
    if decision.promote:
        registry.set_alias(name, version)
    return Decision(decision.promote, f"{name} version {version}: {decision.reason}")
