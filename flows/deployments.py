"""Serve the flows as deployments, so iterations can be triggered (and scheduled) from the Prefect UI.

    export PREFECT_API_URL=http://127.0.0.1:4200/api
    prefect server start --host 127.0.0.1 &        # the UI at http://127.0.0.1:4200
    python -m flows.deployments                     # keeps running; Ctrl-C stops serving
    prefect deployment run 'conductor-campaign/campaign' --watch

`--cron "0 3 * * *"` schedules the campaign (nightly retraining, for instance).
"""

from __future__ import annotations

import argparse
import os
import sys

from prefect import serve

import flows  # noqa: F401
from flows.campaign import campaign_flow
from flows.prepare import prepare_flow


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cron", help="schedule for the campaign deployment (cron syntax)")
    args = ap.parse_args()
    if not os.environ.get("PREFECT_API_URL"):
        sys.exit(
            "PREFECT_API_URL is not set: start a server (`prefect server start --host 127.0.0.1`) and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api first (see this file's docstring)."
        )
    campaign = campaign_flow.to_deployment(name="campaign", cron=args.cron, parameters={"config": {}})
    prepare = prepare_flow.to_deployment(name="prepare")
    print("serving deployments 'conductor-campaign/campaign' and 'prepare-tasks/prepare'; Ctrl-C to stop", flush=True)
    serve(campaign, prepare)


if __name__ == "__main__":
    main()
