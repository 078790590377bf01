"""Which checkpoint a server or `conductor ask` loads, and how it is prompted: one place for both.

    resolve_checkpoint(paths, "latest")          # the newest checkpoint of the most recent run
    resolve_checkpoint(paths, "/path/iter-3")     # a folder, or any Hugging Face model id
    resolve_checkpoint(paths, "models:/conductor@champion")   # a registered model version (MLflow)
    served_config(paths, checkpoint, overrides)   # the run config it was trained with (its run's manifest)

What a reference names is conductor.iteration.checkpoints' (the one resolver, also `conductor eval`'s and a
retrain's): the same words name the same checkpoint, and one that names nothing fails with the same line.
"""

from __future__ import annotations

from pathlib import Path

from conductor.config import Paths, RunConfig, load_run_config
from conductor.iteration import checkpoints
from conductor.iteration.checkpoints import trained_config

__all__ = ["resolve_checkpoint", "served_config", "trained_config"]


def resolve_checkpoint(paths: Paths, spec: str | Path | None = None) -> str:
    """`spec` as something `Policy.load` takes (None is `latest`); CheckpointNotFound when it names nothing."""
    return checkpoints.resolve(paths, spec).checkpoint


def served_config(
    paths: Paths, checkpoint: str | Path, config_file: str | Path | None = None, overrides: list[str] | None = None
) -> RunConfig:
    """How `checkpoint` is prompted: a run config given with --config/--set (for a checkpoint trained outside
    this home, e.g. a warm start), else the one it was trained with (`trained_config`)."""
    if config_file is None and not overrides:
        return trained_config(paths, checkpoint)
    cfg = load_run_config(config_file, list(overrides or []))
    return cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"base_model": str(checkpoint)})})
