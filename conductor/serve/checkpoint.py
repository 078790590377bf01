"""Which checkpoint a server or `conductor ask` loads, and how it is prompted: one place for both.

    resolve_checkpoint(paths, "latest")          # the newest checkpoint of the most recent run
    resolve_checkpoint(paths, "/path/iter-3")     # a folder, or any Hugging Face model id
    resolve_checkpoint(paths, "models:/conductor@champion")   # a registered model version (MLflow)
    served_config(paths, checkpoint, overrides)   # the run config it was trained with (its run's manifest)

`resolve_checkpoint` is the seam where a checkpoint name becomes something `Policy.load` takes for serving and
`ask`; registry names go through conductor.tracking.registry, which `conductor eval` uses too.
"""

from __future__ import annotations

from pathlib import Path

from conductor.config import Paths, RunConfig, load_run_config, validate_config
from conductor.errors import NotFoundError
from conductor.iteration.manifest import latest_checkpoint, read_manifest, run_of_checkpoint

LATEST = "latest"
REGISTRY_PREFIX = "models:/"


def resolve_checkpoint(paths: Paths, spec: str | Path | None = None) -> str:
    """`spec` as a loadable checkpoint: None or "latest" is the newest checkpoint of the most recent run;
    `models:/NAME@ALIAS` or `models:/NAME/VERSION` the registered version's folder; a path or a Hugging Face id
    is used as it is. Raises NotFoundError when nothing matches."""
    if spec is None or str(spec) == LATEST:
        chosen = latest_checkpoint(paths)
        if chosen is None:
            raise NotFoundError("no checkpoint given and none trained yet: run `conductor demo`, or pass --checkpoint")
        return str(chosen)
    if str(spec).startswith(REGISTRY_PREFIX):
        from conductor.tracking import registry  # MLflow is imported only for a registry name

        return str(registry.resolve_model_uri(paths, str(spec)))
    return str(spec)


def trained_config(paths: Paths, checkpoint: str | Path) -> RunConfig:
    """The run config a checkpoint was trained with (its run's manifest), so it is prompted as in training.
    A checkpoint from no known run (a hub id, a folder) is prompted as the paper prompts a real base model
    (`paper-7b`'s settings with that model): the paper's template, 5 steps, the whole question."""
    run_id = run_of_checkpoint(paths, checkpoint)
    if run_id is not None:
        return validate_config(read_manifest(paths, run_id)["config"])
    return validate_config({"preset": "paper-7b", "policy": {"base_model": str(checkpoint)}})


def served_config(
    paths: Paths, checkpoint: str | Path, config_file: str | Path | None = None, overrides: list[str] | None = None
) -> RunConfig:
    """How `checkpoint` is prompted: a run config given with --config/--set (for a checkpoint trained outside
    this home, e.g. a warm start), else the one it was trained with (`trained_config`)."""
    if config_file is None and not overrides:
        return trained_config(paths, checkpoint)
    cfg = load_run_config(config_file, list(overrides or []))
    return cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"base_model": str(checkpoint)})})
