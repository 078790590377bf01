"""MLflow helpers: one experiment per run config name; a campaign is a parent run with one nested run per
iteration (the evaluation metrics also on the parent, step=iteration: the learning curve); an evaluation is
its own run. registry.py: checkpoints as MLflow models, the registered model, the `champion` alias and
`models:/NAME@ALIAS` URIs.

The experiment is tagged `mlflow.experimentKind=custom_model_development`, so the MLflow UI opens its
model-training view (runs, charts, models) rather than the GenAI view an untagged experiment lands on.

The tracking URI and the artifact location are always set explicitly (unset, MLflow writes into the current
directory). mlflow is imported inside the functions: it costs about a second, and light commands skip it.
Nothing secret is ever logged: parameters come from RunConfig, which holds no keys.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conductor.config import Paths, RunConfig


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = json.dumps(value) if isinstance(value, list | tuple) else value


def config_params(cfg: RunConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _flatten("", cfg.model_dump(mode="json"), out)
    return out


EXPERIMENT_KIND = ("mlflow.experimentKind", "custom_model_development")


def point_at(paths: Paths) -> None:
    """Send MLflow's calls to this home's store (or the user's MLFLOW_TRACKING_URI).

    mlflow.set_tracking_uri also exports the URI as MLFLOW_TRACKING_URI, for subprocesses; Paths reads that
    variable as the user's choice, so a process that serves two homes (a test session, a server) would send the
    second home's runs to the first's store. What the user had is put back."""
    import mlflow

    before = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(paths.mlflow_uri)
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = before


def configure(paths: Paths, experiment: str) -> str:
    """Point MLflow at the local sqlite store (or MLFLOW_TRACKING_URI) and return the experiment id.

    With a local store the artifact location is set under the home (unset, MLflow writes into the current
    directory); with an http(s) tracking server the server chooses it (it may proxy artifacts)."""
    import mlflow

    paths.home.mkdir(parents=True, exist_ok=True)
    point_at(paths)
    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        remote = paths.mlflow_uri.startswith(("http://", "https://"))
        location = None if remote else (paths.mlflow_artifacts / experiment).resolve().as_uri()
        exp_id = mlflow.create_experiment(experiment, artifact_location=location, tags=dict([EXPERIMENT_KIND]))
    else:
        exp_id = exp.experiment_id
        if exp.tags.get(EXPERIMENT_KIND[0]) != EXPERIMENT_KIND[1]:
            mlflow.MlflowClient().set_experiment_tag(exp_id, *EXPERIMENT_KIND)
    mlflow.set_experiment(experiment_id=exp_id)
    return exp_id


def configure_uri(paths: Paths) -> None:
    """Only the tracking URI (for the registry), no experiment."""
    paths.home.mkdir(parents=True, exist_ok=True)
    point_at(paths)


def start_campaign_run(paths: Paths, cfg: RunConfig, run_id: str, prefect_flow_run: str | None = None) -> str:
    """The campaign's parent run (created, not made active: iterations may run in other flows); its id."""
    import mlflow

    exp_id = configure(paths, cfg.name)
    tags = {"conductor.run_id": run_id, "conductor.kind": "campaign", "mlflow.runName": run_id}
    if prefect_flow_run:
        tags["prefect.flow_run_id"] = prefect_flow_run
    run = mlflow.MlflowClient().create_run(exp_id, tags=tags, run_name=run_id)
    for k, v in config_params(cfg).items():
        mlflow.MlflowClient().log_param(run.info.run_id, k, v)
    return run.info.run_id


def end_campaign_run(parent: str, status: str = "FINISHED") -> None:
    import mlflow

    mlflow.MlflowClient().set_terminated(parent, status=status)


def log_parent_metrics(parent: str, metrics: Mapping[str, float | None], step: int) -> None:
    """The evaluation metrics of an iteration on the campaign's parent run, step=iteration (a chart)."""
    import mlflow

    client = mlflow.MlflowClient()
    for k, v in metrics.items():
        if v is not None:
            client.log_metric(parent, k, float(v), step=step)


@contextmanager
def iteration_run(
    paths: Paths,
    cfg: RunConfig,
    run_id: str,
    iteration: int,
    simulated: bool,
    parent: str | None = None,
    flow_run: str | None = None,
) -> Iterator[Any]:
    """An MLflow run for one iteration, tagged with the run id, the iteration and whether the pool is
    simulated; nested under the campaign's run `parent` when given."""
    import mlflow

    configure(paths, cfg.name)
    tags = {
        "conductor.run_id": run_id,
        "conductor.iteration": str(iteration),
        "conductor.pool": "SIMULATED" if simulated else "real",
        "pool.simulated": str(simulated).lower(),
    }
    if parent:
        tags["mlflow.parentRunId"] = parent
    if flow_run:
        tags["prefect.flow_run_id"] = flow_run
    with mlflow.start_run(run_name=f"{run_id}-iter{iteration}", tags=tags) as active:
        mlflow.log_params(config_params(cfg))
        yield active


@contextmanager
def evaluation_run(paths: Paths, experiment: str, name: str, tags: Mapping[str, str]) -> Iterator[Any]:
    """An MLflow run for one `conductor eval` (or evaluate flow run)."""
    import mlflow

    configure(paths, experiment)
    all_tags = {"conductor.kind": "evaluation", **tags}
    with mlflow.start_run(run_name=name, tags=all_tags) as active:
        yield active


def log_figure(figure: Any, name: str) -> None:
    import mlflow

    mlflow.log_figure(figure, name)


def log_metrics(metrics: Mapping[str, float], step: int | None = None) -> None:
    import mlflow

    clean = {k: float(v) for k, v in metrics.items() if v is not None}
    if clean:
        mlflow.log_metrics(clean, step=step)


def log_table(rows: list[dict[str, Any]], name: str) -> None:
    import mlflow

    if rows:
        columns = {k: [r.get(k) for r in rows] for k in rows[0]}
        mlflow.log_table(data=columns, artifact_file=name)


def log_params(params: Mapping[str, Any]) -> None:
    import mlflow

    mlflow.log_params(dict(params))


def log_checkpoint(path: Path, max_mb: float = 200.0) -> None:
    """Log a checkpoint folder as artifacts when it is small (the tiny model); otherwise only its path."""
    import mlflow

    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
    mlflow.set_tag("checkpoint.path", str(path))
    if size <= max_mb:
        mlflow.log_artifacts(str(path), artifact_path="checkpoint")
