"""Where state lives: everything under one home folder (CONDUCTOR_HOME, default ./.conductor)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


def default_home() -> Path:
    """All state under one project-local folder, so `conductor sql` from the project root finds the demo's data."""
    return Path(os.environ.get("CONDUCTOR_HOME", ".conductor")).resolve()


class Paths(BaseModel):
    """Where everything is stored. Derived from one home folder (CONDUCTOR_HOME, default ./.conductor)."""

    model_config = ConfigDict(frozen=True)

    home: Path = Field(default_factory=default_home)

    @property
    def tasks(self) -> Path:
        return self.home / "tasks"

    @property
    def rollouts(self) -> Path:
        return self.home / "rollouts"

    @property
    def checkpoints(self) -> Path:
        return self.home / "checkpoints"

    @property
    def runs(self) -> Path:
        """Per-run state: manifests of finished iterations (what resume reads)."""
        return self.home / "runs"

    @property
    def mlflow_db(self) -> Path:
        return self.home / "mlflow.db"

    @property
    def mlflow_uri(self) -> str:
        return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{self.mlflow_db}"

    @property
    def mlflow_artifacts(self) -> Path:
        return self.home / "mlartifacts"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"

    @property
    def cache(self) -> Path:
        return self.home / "cache"
