"""A campaign: N seeded iterations, each its own flow run (a subflow of this one), resumable.

    python -m conductor_flows.campaign [--config FILE] [--set key=value ...] [--resume RUN_ID]

This is what `conductor demo` and `conductor run` start, and what the deployments serve to the Prefect UI.
The `config` parameter takes any run-config fields; a `preset` in it is laid under the rest, exactly as a
config file or `--set` does (`run_config`).
"""

from __future__ import annotations

import argparse
from typing import Any

from prefect import flow

import conductor_flows  # noqa: F401  (Prefect settings before a flow runs)
from conductor.config import Paths, RunConfig, load_run_config, validate_config
from conductor.iteration.campaign import preflight, run_campaign
from conductor_flows.iteration import iteration_flow


def run_config(config: dict[str, Any] | None) -> RunConfig:
    """The flow parameter as a run config: validated (presets applied) as every other entry validates it."""
    return validate_config(config or {})


@flow(name="conductor-campaign", log_prints=True)
def campaign_flow(config: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Inputs (the whole run config, the run id) are recorded by Prefect with the flow run."""
    cfg = run_config(config)
    result = run_campaign(cfg, Paths(), run_id=run_id, iteration_fn=iteration_flow)
    return {"run_id": result.run_id, "iterations": result.iterations, "seconds": result.seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", help="run config (YAML or TOML)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config field")
    ap.add_argument("--resume", metavar="RUN_ID", help="resume this run")
    args = ap.parse_args()
    cfg = preflight(load_run_config(args.config, args.set), Paths(), args.resume)
    out = campaign_flow(cfg.model_dump(mode="json"), run_id=args.resume)
    print(f"run {out['run_id']}: {len(out['iterations'])} iterations in {out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
