"""A campaign: N seeded iterations, each its own flow run (a subflow of this one), resumable.

    python -m flows.campaign [--config FILE] [--set key=value ...] [--resume RUN_ID]

This is what `conductor demo` and `conductor run` start, and what the deployments serve to the Prefect UI.
"""

from __future__ import annotations

import argparse
from typing import Any

from prefect import flow

import flows  # noqa: F401
from conductor.config import Paths, RunConfig, load_run_config
from conductor.iteration.campaign import run_campaign
from flows.iteration import iteration_flow


@flow(name="conductor-campaign", log_prints=True)
def campaign_flow(config: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Inputs (the whole run config, the run id) are recorded by Prefect with the flow run."""
    cfg = RunConfig.model_validate(config or {})
    result = run_campaign(cfg, Paths(), run_id=run_id, iteration_fn=iteration_flow)
    return {"run_id": result.run_id, "iterations": result.iterations, "seconds": result.seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", help="run config (YAML or TOML)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config field")
    ap.add_argument("--resume", metavar="RUN_ID", help="resume this run")
    args = ap.parse_args()
    cfg = load_run_config(args.config, args.set)
    out = campaign_flow(cfg.model_dump(mode="json"), run_id=args.resume)
    print(f"run {out['run_id']}: {len(out['iterations'])} iterations in {out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
