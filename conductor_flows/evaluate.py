"""Evaluate a checkpoint on the held-out tasks, beside each single worker, random workflows and the oracle.

    python -m conductor_flows.evaluate --start latest:demo [--set eval.tasks=96 ...]

The same evaluation an iteration ends with (conductor.iteration.steps.evaluate_step), as its own run (id
`<name>-eval-<time>`, one iteration, phase 'eval' in the store), for a checkpoint named as a retrain names its
start: latest:<run>, models:/NAME@ALIAS or a folder. Blank config fields keep the config of the run that made
the checkpoint, so it is shown the prompt it was trained with and the held-out tasks that run was measured on.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow

import conductor_flows  # noqa: F401  (Prefect settings before a flow runs)
from conductor.config import Paths
from conductor.config.loading import read_overrides
from conductor.iteration.campaign import load_all_tasks, preflight, running_pool
from conductor.iteration.context import IterationContext
from conductor.iteration.continuation import resolve_start_checkpoint, retrain_config
from conductor.iteration.steps import evaluate_step
from conductor_flows.parameters import RunParameters, as_parameters, given
from conductor_flows.reporting import log_config, name_flow_run, report_iterations

BLANK = RunParameters()


@flow(name="conductor-evaluate", log_prints=True)
def evaluate_flow(start: str = "latest:demo", config: RunParameters = BLANK) -> dict[str, Any]:
    """Evaluate the checkpoint `start` names.

    Args:
        start: latest:<run id or run name>, models:/NAME@champion, or a checkpoint folder.
        config: run-config fields laid over the config of the run that made the checkpoint (blank: kept).
    """
    paths = Paths()
    point = resolve_start_checkpoint(start, paths)
    cfg = retrain_config(point, paths, 1, given(config))
    cfg = preflight(cfg.model_copy(update={"seed": cfg.eval.seed if cfg.eval.seed is not None else cfg.seed}), paths)
    run_id = f"{cfg.name}-eval-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"
    name_flow_run(run_id)
    log_config(cfg)
    tasks = load_all_tasks(cfg, paths)
    with running_pool(cfg, paths, run_id, tasks) as (_, pool_file):
        ctx = IterationContext(
            run_id=run_id, iteration=1, config=cfg, home=paths.home, pool_file=pool_file, checkpoint_in=point.checkpoint
        )
        ev = evaluate_step(ctx, Path(point.checkpoint))
    report_iterations(run_id, [{"iteration": 1, "eval": ev}], f"evaluation of {point.source}")
    return {"run_id": run_id, "start": point.source, "checkpoint": str(point.checkpoint), "eval": ev}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--start", default="latest:demo", help="latest:<run>, models:/NAME@ALIAS or a folder")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config field")
    args = ap.parse_args()
    out = evaluate_flow(args.start, as_parameters(read_overrides(args.set)))
    print(f"{out['start']}: conductor {out['eval'].get('conductor')} ({out['run_id']})")


if __name__ == "__main__":
    main()
