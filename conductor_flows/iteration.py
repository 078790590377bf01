"""One RL iteration as a Prefect flow run: rollouts -> store -> GRPO update -> evaluate.

Each step is a Prefect task around the library function of the same name; tasks pass paths and small
values, never models or data frames. The campaign flow (campaign.py) runs one such flow per iteration.
A task that fails on a user's mistake (a ConductorError: a model that cannot be loaded, tasks not prepared)
is not retried; a retry could only fail the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.client.schemas.objects import TaskRun
from prefect.runtime import flow_run
from prefect.states import State

import conductor_flows  # noqa: F401  (Prefect settings before prefect is imported)
from conductor.errors import ConductorError
from conductor.iteration import steps
from conductor.iteration.campaign import StepRunner, eval_table, run_iteration
from conductor.iteration.context import IterationContext
from conductor.store.rollouts import read_rollouts, rows_from_table
from conductor_flows.evaluate import publish
from conductor_flows.reporting import headline


def may_pass_on_retry(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a failed step only when the failure is not the user's to fix (a worker outage may pass)."""
    try:
        state.result()
    except ConductorError:
        return False
    except Exception:  # noqa: BLE001 - anything else is worth the one retry the step allows
        return True
    return True


@task(name="rollouts", retries=1, retry_delay_seconds=5, retry_condition_fn=may_pass_on_retry)
def rollouts_task(ctx: IterationContext) -> dict[str, Any]:
    """Retrying is safe: the part file name is deterministic, so a retry replaces, never duplicates."""
    return steps.rollout_step(ctx)


@task(name="update")
def update_task(ctx: IterationContext) -> dict[str, Any]:
    return steps.update_step(ctx)


@task(name="evaluate", retries=1, retry_delay_seconds=5, retry_condition_fn=may_pass_on_retry)
def evaluate_task(ctx: IterationContext, checkpoint: Path) -> dict[str, Any]:
    return steps.evaluate_step(ctx, checkpoint)


RUNNER = StepRunner(rollout=rollouts_task, update=update_task, evaluate=evaluate_task)


@flow(name="conductor-iteration", flow_run_name="{ctx.run_id}-iter{ctx.iteration}", log_prints=True)
def iteration_flow(ctx: IterationContext) -> dict[str, Any]:
    """One iteration. The flow run's id goes into the iteration's MLflow run (and the MLflow run id into the
    result), so each links to the other; the evaluation is published as artifacts under stable keys, and the
    log ends with the headline figures (the Conductor, best single worker, oracle)."""
    ctx = ctx.model_copy(update={"flow_run_id": str(flow_run.id) if flow_run.id else None})
    result = run_iteration(ctx, RUNNER)
    ev = result.get("eval", {})
    if not ev.get("skipped"):
        rows = rows_from_table(read_rollouts(ctx.paths.rollouts, ctx.run_id, ctx.iteration, "eval"))
        publish(
            eval_table(ev),
            rows,
            "iteration-evaluation",
            "iteration-workflows",
            f"Run {ctx.run_id} iteration {ctx.iteration} (MLflow run {result.get('mlflow_run_id')})",
        )
    get_run_logger().info("%s %s", ctx.run_id, headline(result))
    return result
