"""Checkpoints as MLflow models, the registered model, its `champion` alias and `models:/NAME@ALIAS` URIs.

Each iteration's checkpoint is logged as a pyfunc model (conductor.policy.mlflow_model.ConductorModel: the
checkpoint folder is its artifact, `predict` writes a plan per question), so any MLflow tool can load it.
A campaign registers its final checkpoint as a version of the run config's `eval.registered_model`;
`conductor eval --promote` moves the `champion` alias. A version is tagged with the local checkpoint path,
so resolving a URI on the machine that trained it reads the folder in place; elsewhere the model's
artifacts are downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conductor.config import Paths
from conductor.errors import NotFoundError

CHAMPION = "champion"
CHECKPOINT_TAG = "checkpoint.path"


def log_checkpoint_model(path: Path, python_model: Any, name: str = "conductor") -> str:
    """Log the checkpoint as a pyfunc model in the active run (`python_model`: conductor.policy.mlflow_model's
    ConductorModel, passed in because tracking sits below policy); its model URI."""
    import mlflow

    info = mlflow.pyfunc.log_model(
        name=name,
        python_model=python_model,
        artifacts={"checkpoint": str(path)},
        pip_requirements=["conductor"],
    )
    mlflow.set_tag(CHECKPOINT_TAG, str(path))
    return str(info.model_uri)


def register(model_uri: str, name: str, checkpoint: Path | str) -> str:
    """A new version of registered model `name` from `model_uri`; its version number."""
    import mlflow

    mv = mlflow.register_model(model_uri, name, tags={CHECKPOINT_TAG: str(checkpoint)})
    return str(mv.version)


def version_of_checkpoint(name: str, checkpoint: str) -> str | None:
    """The version of `name` registered from this checkpoint folder, if any."""
    import mlflow

    client = mlflow.MlflowClient()
    try:
        versions = client.search_model_versions(f"name = '{name}'")
    except mlflow.exceptions.MlflowException:
        return None
    for mv in versions:
        if mv.tags.get(CHECKPOINT_TAG) == str(checkpoint):
            return str(mv.version)
    return None


def alias_version(name: str, alias: str = CHAMPION) -> Any | None:
    """The ModelVersion behind `name@alias`, or None when the model or alias does not exist."""
    import mlflow

    try:
        return mlflow.MlflowClient().get_model_version_by_alias(name, alias)
    except mlflow.exceptions.MlflowException:
        return None


def set_alias(name: str, version: str, alias: str = CHAMPION) -> None:
    import mlflow

    mlflow.MlflowClient().set_registered_model_alias(name, alias, version)


def tag_version(name: str, version: str, tags: dict[str, str]) -> None:
    import mlflow

    client = mlflow.MlflowClient()
    for k, v in tags.items():
        client.set_model_version_tag(name, version, k, v)


def is_model_uri(text: str | None) -> bool:
    return bool(text) and str(text).startswith("models:/")


def resolve_model_uri(paths: Paths, uri: str) -> Path:
    """`models:/NAME@ALIAS` or `models:/NAME/VERSION` -> the checkpoint folder: the one the version was
    registered from (its tag, or the tag of the run that logged it) when it is on this machine, else the
    downloaded artifacts. NotFoundError (one line) when the model, version or alias is unknown."""
    body = uri[len("models:/") :]
    by_alias = "@" in body
    if by_alias:
        name, _, alias = body.partition("@")
        version, what = "", f"registered model {name!r} has no version with alias {alias!r}"
    else:
        name, _, version = body.rpartition("/")
        alias, what = "", f"registered model {name!r} has no version {version!r}"
    if not name or not (alias if by_alias else version.isdigit()):
        raise NotFoundError(f"{uri!r} is not models:/NAME@ALIAS or models:/NAME/VERSION")
    import mlflow

    from conductor import tracking

    tracking.configure_uri(paths)
    client = mlflow.MlflowClient()
    try:
        mv = client.get_model_version_by_alias(name, alias) if by_alias else client.get_model_version(name, version)
    except mlflow.exceptions.MlflowException:
        raise NotFoundError(f"{what} in {paths.mlflow_uri}") from None
    local = mv.tags.get(CHECKPOINT_TAG)
    if not local and mv.run_id:
        try:
            local = client.get_run(mv.run_id).data.tags.get(CHECKPOINT_TAG)
        except mlflow.exceptions.MlflowException:
            local = None
    if local and Path(local).exists():
        return Path(local)
    out = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}/{mv.version}"))
    return out / "artifacts" / "checkpoint" if (out / "artifacts" / "checkpoint").is_dir() else out
