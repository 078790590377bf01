"""A campaign: N seeded iterations, each its own flow run (a subflow of this one), resumable and extendable.

    python -m conductor_flows.campaign [--config FILE] [--set key=value ...] [--resume RUN_ID]

This is what `conductor demo` and `conductor run` start, and what the deployments serve to the Prefect UI.
Its `config` parameter is typed (conductor_flows/parameters.py): the run config's fields, each with its help
text; a blank field is not given, so a `preset` is laid under what is filled in exactly as the CLI lays it.
With `run_id` of a run on disk, the flow resumes that run; a larger `iterations` beside it extends it.
The flow run is named after the project's run id; its log holds the resolved config and, per iteration, the
headline figures (also a Markdown artifact on the run's page).
"""

from __future__ import annotations

import argparse
from typing import Any

from prefect import flow

import conductor_flows  # noqa: F401  (Prefect settings before a flow runs)
from conductor.config import Paths, RunConfig, load_run_config
from conductor.iteration.campaign import new_run_id, preflight, run_campaign
from conductor.iteration.manifest import read_manifest
from conductor_flows.iteration import iteration_flow
from conductor_flows.parameters import RunParameters, as_parameters, to_run_config
from conductor_flows.reporting import log_config, name_flow_run, report_iterations

BLANK = RunParameters()
run_config = to_run_config  # the flow parameter as a run config, as the CLI builds it (tests/config use this name)


def campaign_config(config: RunParameters | dict[str, Any] | None, run_id: str | None, paths: Paths) -> RunConfig:
    """The flow's parameters as the config the run goes on with, checked before any iteration starts: a new
    run's config as the CLI builds it, or, for a run on disk, its stored config (more `iterations` extend it)."""
    cfg = to_run_config(config)
    resume = run_id if run_id and read_manifest(paths, run_id) else None
    return preflight(cfg, paths, resume)


@flow(name="conductor-campaign", log_prints=True)
def campaign_flow(config: RunParameters = BLANK, run_id: str | None = None) -> dict[str, Any]:
    """Train the Conductor for `iterations` RL iterations (or resume / extend the run `run_id`).

    Args:
        config: run-config fields (docs/configuration.md); blank ones take the preset's value or the default.
        run_id: resume (or extend, with more iterations) this run; blank starts a new run.
    """
    paths = Paths()
    cfg = campaign_config(config, run_id, paths)
    run_id = run_id or new_run_id(cfg)
    name_flow_run(run_id)
    log_config(cfg)
    result = run_campaign(cfg, paths, run_id=run_id, iteration_fn=iteration_flow)
    report_iterations(result.run_id, result.iterations, "campaign")
    return {"run_id": result.run_id, "iterations": result.iterations, "seconds": result.seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", help="run config (YAML or TOML)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config field")
    ap.add_argument("--resume", metavar="RUN_ID", help="resume this run")
    args = ap.parse_args()
    cfg = preflight(load_run_config(args.config, args.set), Paths(), args.resume)
    out = campaign_flow(as_parameters(cfg), run_id=args.resume)
    print(f"run {out['run_id']}: {len(out['iterations'])} iterations in {out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
