"""MLflow helpers: one experiment per run config name, one MLflow run per iteration.

The tracking URI and the artifact location are always set explicitly (unset, MLflow writes into the current
directory). mlflow is imported inside the functions: it costs about a second, and light commands skip it.
Nothing secret is ever logged: parameters come from RunConfig, which holds no keys.
"""

from __future__ import annotations

import json
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


def configure(paths: Paths, experiment: str) -> str:
    """Point MLflow at the local sqlite store (or MLFLOW_TRACKING_URI) and return the experiment id."""
    import mlflow

    paths.home.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(paths.mlflow_uri)
    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        location = (paths.mlflow_artifacts / experiment).resolve().as_uri()
        exp_id = mlflow.create_experiment(experiment, artifact_location=location)
    else:
        exp_id = exp.experiment_id
    mlflow.set_experiment(experiment_id=exp_id)
    return exp_id


@contextmanager
def iteration_run(paths: Paths, cfg: RunConfig, run_id: str, iteration: int, simulated: bool) -> Iterator[Any]:
    """An MLflow run for one iteration, tagged with the run id, the iteration and whether the pool is simulated."""
    import mlflow

    configure(paths, cfg.name)
    tags = {
        "conductor.run_id": run_id,
        "conductor.iteration": str(iteration),
        "conductor.pool": "SIMULATED" if simulated else "real",
        "pool.simulated": str(simulated).lower(),
    }
    with mlflow.start_run(run_name=f"{run_id}-iter{iteration}", tags=tags) as active:
        mlflow.log_params(config_params(cfg))
        yield active


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
