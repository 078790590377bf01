"""Serve the flows as deployments, so iterations can be triggered (and scheduled) from the Prefect UI.

    export PREFECT_API_URL=http://127.0.0.1:4200/api
    prefect server start --host 127.0.0.1 &        # the UI at http://127.0.0.1:4200
    python -m conductor_flows.deployments           # keeps running; Ctrl-C stops serving
    prefect deployment run 'conductor-campaign/campaign' --watch

`--cron "0 3 * * *"` schedules the campaign (nightly retraining, for instance).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import cast

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

import conductor_flows  # noqa: F401  (Prefect settings before prefect serves)
from conductor_flows.campaign import campaign_flow
from conductor_flows.prepare import prepare_flow


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cron", help="schedule for the campaign deployment (cron syntax)")
    args = ap.parse_args()
    if not os.environ.get("PREFECT_API_URL"):
        sys.exit(
            "PREFECT_API_URL is not set: start a server (`prefect server start --host 127.0.0.1`) and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api first (see this file's docstring)."
        )
    # to_deployment is sync here (no running event loop); its annotation also allows the async form
    campaign = cast(
        RunnerDeployment, campaign_flow.to_deployment(name="campaign", cron=args.cron, parameters={"config": {}})
    )
    prepare = cast(RunnerDeployment, prepare_flow.to_deployment(name="prepare"))
    print("serving deployments 'conductor-campaign/campaign' and 'prepare-tasks/prepare'; Ctrl-C to stop", flush=True)
    serve(campaign, prepare)


if __name__ == "__main__":
    main()
