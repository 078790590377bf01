"""`conductor demo|run|prepare`: the pipeline commands. They start the Prefect flows (conductor_flows/) after
the checks a user's mistake would fail (`preflight`), so such a mistake is one line, not a failed flow run."""

from __future__ import annotations

import argparse
import os
from typing import Any

from conductor.config import RunConfig
from conductor.errors import ConfigError


def add_parsers(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser(
        "demo",
        help="the main job: full RL iterations offline (tiny Conductor, SIMULATED pool, real tasks)",
        description="Run full RL iterations offline: prepare real tasks (HumanEval, MMLU, JEE math), build and warm-"
        "start a tiny Conductor, then per iteration: rollouts on the SIMULATED pool -> Parquet store -> GRPO update "
        "-> evaluation against each single worker, random workflows and the oracle. Each iteration is a Prefect "
        "flow run and an MLflow run. Prints the results and where to look at them.",
    )
    d.add_argument(
        "--iterations", type=int, default=20, help="RL iterations (default 20: about 10 minutes on 2 CPU cores)"
    )
    d.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a run-config field, e.g. rollout.group_size=4",
    )
    d.add_argument(
        "--no-prefect", action="store_true", help="run the same steps as plain Python calls, without Prefect"
    )
    d.set_defaults(func=demo)
    r = sub.add_parser(
        "run",
        help="run or resume a campaign from a run config",
        description="Run N iterations from a run config (YAML/TOML; see docs/configuration.md), or resume a killed "
        "run with --resume RUN_ID: finished iterations are kept, an unfinished one is redone from its checkpoint.",
    )
    r.add_argument("--config", help="run config file (YAML or TOML)")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a run-config field")
    r.add_argument("--resume", metavar="RUN_ID", help="resume this run")
    r.add_argument("--no-prefect", action="store_true", help="run as plain Python calls, without Prefect")
    r.set_defaults(func=run)
    p = sub.add_parser(
        "prepare",
        help="prepare tasks as Parquet (cached: an unchanged source is not prepared twice)",
        description="Load task sources and write <home>/tasks/<source>.parquet through the Prefect prepare flow.",
    )
    p.add_argument("--sources", nargs="+", default=["humaneval", "mmlu", "jee-math"], help="sources to prepare")
    p.add_argument("--seed", type=int, default=0, help="seed for choice shuffling")
    p.set_defaults(func=prepare)


def _campaign(cfg: RunConfig, resume: str | None, no_prefect: bool) -> tuple[dict[str, Any], RunConfig]:
    from conductor.config import Paths
    from conductor.iteration.campaign import preflight, run_campaign

    paths = Paths()
    cfg = preflight(cfg, paths, resume)
    if no_prefect:
        res = run_campaign(cfg, paths, run_id=resume)
        return {"run_id": res.run_id, "iterations": res.iterations, "seconds": res.seconds}, cfg
    from conductor_flows.campaign import campaign_flow
    from conductor_flows.parameters import as_parameters

    return campaign_flow(as_parameters(cfg), run_id=resume), cfg


def demo(args: argparse.Namespace) -> int:
    from conductor.cli.report import print_report
    from conductor.config import load_run_config

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cfg = load_run_config(None, [f"iterations={args.iterations}", *args.set])
    print(
        "conductor demo: tiny Conductor, SIMULATED worker pool (no real model answers), real tasks, offline\n",
        flush=True,
    )
    out, cfg = _campaign(cfg, None, args.no_prefect)
    print_report(out, cfg)
    return 0


def run(args: argparse.Namespace) -> int:
    from conductor.cli.report import print_report
    from conductor.config import load_run_config

    cfg = load_run_config(args.config, args.set)
    out, cfg = _campaign(cfg, args.resume, args.no_prefect)
    print_report(out, cfg)
    return 0


def prepare(args: argparse.Namespace) -> int:
    from conductor.config import Paths
    from conductor.tasks.sources import SOURCES
    from conductor_flows.prepare import prepare_flow

    unknown = [s for s in args.sources if s not in SOURCES]
    if unknown:
        raise ConfigError(f"unknown task source(s) {', '.join(map(repr, unknown))}; known: {', '.join(SOURCES)}")
    out = prepare_flow(sources=args.sources, out_dir=str(Paths().tasks), seed=args.seed)
    print(f"tasks: {out}")
    return 0
