"""What every iteration step needs to know, as one small serialisable value (flows pass it between tasks)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from conductor.config import Paths, RunConfig
from conductor.errors import NotFoundError
from conductor.pool.spec import PoolSpec, load_pool
from conductor.tasks.io import read_tasks
from conductor.tasks.schema import Task


class IterationContext(BaseModel):
    run_id: str
    iteration: int
    config: RunConfig
    home: Path
    pool_file: Path  # the pool as used by this run (a simulated pool's base_url filled in)
    checkpoint_in: Path
    mlflow_parent: str | None = None  # the campaign's MLflow run (each iteration's run is nested under it)
    flow_run_id: str | None = None  # the Prefect flow run of this iteration, when run as one (linked in MLflow)

    @property
    def paths(self) -> Paths:
        return Paths(home=self.home)

    def pool(self) -> PoolSpec:
        return load_pool(self.pool_file)

    def tasks(self) -> list[Task]:
        files = [self.paths.tasks / f"{s}.parquet" for s in self.config.sources]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise NotFoundError(f"tasks not prepared: {', '.join(missing)} (run `conductor prepare`)")
        out: list[Task] = []
        for f in files:
            out.extend(read_tasks(f))
        return out

    @property
    def checkpoint_out(self) -> Path:
        return self.paths.checkpoints / self.run_id / f"iter-{self.iteration}"
