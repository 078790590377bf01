"""One RL iteration as a Prefect flow run: rollouts -> store -> GRPO update -> evaluate.

Each step is a Prefect task around the library function of the same name; tasks pass paths and small
values, never models or data frames. Run one by hand:

    python -m flows.iteration --run-id RUN --iteration N   (the run must exist: see flows/campaign.py)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task

import flows  # noqa: F401  (Prefect settings before prefect is imported)
from conductor.iteration import steps
from conductor.iteration.campaign import StepRunner, run_iteration
from conductor.iteration.context import IterationContext


@task(name="rollouts", retries=1, retry_delay_seconds=5)
def rollouts_task(ctx: IterationContext) -> dict[str, Any]:
    """Retrying is safe: the part file name is deterministic, so a retry replaces, never duplicates."""
    return steps.rollout_step(ctx)


@task(name="update")
def update_task(ctx: IterationContext) -> dict[str, Any]:
    return steps.update_step(ctx)


@task(name="evaluate", retries=1, retry_delay_seconds=5)
def evaluate_task(ctx: IterationContext, checkpoint: Path) -> dict[str, Any]:
    return steps.evaluate_step(ctx, checkpoint)


RUNNER = StepRunner(rollout=rollouts_task, update=update_task, evaluate=evaluate_task)


@flow(name="conductor-iteration", flow_run_name="{ctx.run_id}-iter{ctx.iteration}", log_prints=True)
def iteration_flow(ctx: IterationContext) -> dict[str, Any]:
    return run_iteration(ctx, RUNNER)
