"""The flows as deployments: campaign, retrain, evaluate and prepare, triggered (and scheduled) from the UI.

Two ways to run them (the README's operations section says which to use when):

    # 1. serve: this process runs what is triggered; schedules fire only while it runs
    python -m conductor_flows.deployments [--cron "0 3 * * *"]

    # 2. a work pool: deployments and schedules live on the server; any number of workers run the flow runs,
    #    so a schedule survives a restart of whatever serves it (Prefect's recommended way)
    python -m conductor_flows.deployments --work-pool conductor [--cron "0 3 * * *"]   # registers, then exits
    prefect worker start --pool conductor

`--cron` schedules the retrain deployment (`--retrain-start`, default latest:demo): each night continues from
the previous night's run. Every parameter is typed (conductor_flows/parameters.py), so the UI shows a form.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, cast

from prefect import Flow, serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound

import conductor_flows  # noqa: F401  (Prefect settings before prefect serves)
from conductor_flows.campaign import campaign_flow
from conductor_flows.evaluate import evaluate_flow
from conductor_flows.prepare import prepare_flow
from conductor_flows.retrain import retrain_flow

ROOT = Path(__file__).resolve().parent.parent  # the clone: what a process worker runs the flows from
NAMES: dict[str, Flow[Any, Any]] = {
    "campaign": campaign_flow,
    "retrain": retrain_flow,
    "evaluate": evaluate_flow,
    "prepare": prepare_flow,
}
ENTRYPOINTS = {
    "campaign": "conductor_flows/campaign.py:campaign_flow",
    "retrain": "conductor_flows/retrain.py:retrain_flow",
    "evaluate": "conductor_flows/evaluate.py:evaluate_flow",
    "prepare": "conductor_flows/prepare.py:prepare_flow",
}


def deployment_options(name: str, cron: str | None, retrain_start: str) -> dict[str, Any]:
    """Per deployment: the retrain one carries the schedule and its start; the rest are triggered by hand."""
    if name != "retrain":
        return {}
    return {"cron": cron, "parameters": {"start": retrain_start}}


def served(cron: str | None, retrain_start: str) -> list[RunnerDeployment]:
    """The deployments `serve` runs in this process."""
    out = []
    for name, fl in NAMES.items():
        # to_deployment is sync here (no running event loop); its annotation also allows the async form
        out.append(cast(RunnerDeployment, fl.to_deployment(name=name, **deployment_options(name, cron, retrain_start))))
    return out


def register(work_pool: str, cron: str | None, retrain_start: str) -> list[str]:
    """Register the deployments on the server for a process work pool (created if missing); returns their ids.
    A worker started with `prefect worker start --pool NAME` runs their flow runs from this clone."""
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(work_pool)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=work_pool, type="process"))
    ids = []
    for name in NAMES:
        fl = cast(Flow[Any, Any], Flow.from_source(source=str(ROOT), entrypoint=ENTRYPOINTS[name]))
        ids.append(
            str(
                fl.deploy(
                    name=name,
                    work_pool_name=work_pool,
                    build=False,
                    push=False,
                    print_next_steps=False,
                    **deployment_options(name, cron, retrain_start),
                )
            )
        )
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cron", help="schedule for the retrain deployment (cron syntax, e.g. '0 3 * * *')")
    ap.add_argument("--retrain-start", default="latest:demo", help="what the scheduled retrain continues from")
    ap.add_argument("--work-pool", help="register on this process work pool (then `prefect worker start --pool`)")
    args = ap.parse_args()
    if not os.environ.get("PREFECT_API_URL"):
        sys.exit(
            "PREFECT_API_URL is not set: start a server (`prefect server start --host 127.0.0.1`) and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api first (see this file's docstring)."
        )
    flows = ", ".join(f"'{fl.name}/{name}'" for name, fl in NAMES.items())
    if args.work_pool:
        register(args.work_pool, args.cron, args.retrain_start)
        print(f"registered {flows} on work pool {args.work_pool!r}; run: prefect worker start --pool {args.work_pool}")
        return
    print(f"serving {flows}; Ctrl-C to stop", flush=True)
    serve(*served(args.cron, args.retrain_start))


if __name__ == "__main__":
    main()
