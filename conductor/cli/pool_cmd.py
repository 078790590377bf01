"""`conductor pool serve|show`: start the SIMULATED pool by hand; show a pool and, if simulated, its oracle."""

from __future__ import annotations

import argparse

from conductor.cli.common import fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pool", help="serve the SIMULATED pool, or show a pool")
    psub = p.add_subparsers(dest="pool_command", metavar="ACTION")
    s = psub.add_parser(
        "serve",
        help="start the SIMULATED pool (OpenAI-compatible) on 127.0.0.1",
        description="Serve the SIMULATED worker pool: /v1/chat/completions, /v1/models, /health on 127.0.0.1. "
        "It answers from a known probability model for the prepared tasks (conductor prepare). Ctrl-C stops it.",
    )
    s.add_argument("--pool", help="pool YAML (default: the shipped simulated pool)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--tasks", help="tasks Parquet file or folder (default: the store's tasks folder)")
    s.add_argument("--seed", type=int, default=0, help="seed of the simulator's draws")
    s.add_argument("--extra-latency-s", type=float, default=0.0, help="latency added to every call, seconds")
    s.add_argument(
        "--faults",
        default="",
        metavar="NAME=RATE,...",
        help="inject faults at these rates per request: timeout, rate_limit or 429 (with Retry-After), "
        "server_error or 500, empty, garbage, truncated; also hang_s, retry_after_s (seconds), "
        "e.g. timeout=0.05,429=0.05,500=0.02",
    )
    s.set_defaults(func=serve)
    w = psub.add_parser("show", help="list a pool's workers; for a SIMULATED pool, also the oracle per domain")
    w.add_argument("--pool", help="pool YAML (default: the shipped simulated pool)")
    w.set_defaults(func=show)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def serve(args: argparse.Namespace) -> int:
    from conductor.config import Paths
    from conductor.pool.spec import PoolError, load_pool

    try:
        pool = load_pool(args.pool)
    except PoolError as e:
        return fail(str(e))
    if not pool.simulated:
        return fail(f"{args.pool} is not a simulated pool: its workers are served by their own endpoints")
    from pydantic import ValidationError

    from conductor.sim.faults import fault_config, parse_faults
    from conductor.sim.server import serve as serve_pool

    try:
        faults = fault_config(parse_faults(args.faults))
    except (ValueError, ValidationError) as e:
        if not isinstance(e, ValidationError):
            return fail(f"--faults: {e}")
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        return fail(f"--faults: {where + ': ' if where else ''}{first['msg'].removeprefix('Value error, ')}")
    tasks = args.tasks or str(Paths().tasks)
    print(
        f"SIMULATED pool {pool.name}: {len(pool.workers)} workers at http://{args.host}:{args.port}/v1 "
        f"(tasks from {tasks})" + (f"; faults at {faults.total:.0%} of requests" if faults.total else ""),
        flush=True,
    )
    serve_pool(
        args.pool,
        tasks,
        host=args.host,
        port=args.port,
        seed=args.seed,
        extra_latency_s=args.extra_latency_s,
        faults=faults,
    )
    return 0


def show(args: argparse.Namespace) -> int:
    from conductor.pool.spec import PoolError, load_pool
    from conductor.store.table import format_table

    try:
        pool = load_pool(args.pool)
    except PoolError as e:
        return fail(str(e))
    print(f"pool: {pool.label}")
    rows = [
        (w.id, w.name, w.model, w.base_url or "(started locally)", w.price_in, w.price_out, w.max_concurrency)
        for w in pool.workers
    ]
    print(format_table(["id", "name", "model", "base_url", "$/M in", "$/M out", "concurrency"], rows))
    if pool.simulated:
        from conductor.sim.oracle import oracle_table

        domains = sorted({d for w in pool.workers if w.sim for d in w.sim.skill})
        table = oracle_table(pool, domains)
        figures = [
            (
                d["domain"],
                f"{d['best_single']:.3f} (worker {d['best_single_worker']})",
                f"{d['consensus']:.3f}",
                f"{d['oracle']:.3f}",
                d["oracle_workflow"],
            )
            for d in table.as_dicts()
        ]
        model = pool.sim_model
        detail = "" if model.kind == "independent" else f", difficulty spread {model.spread}, {model.levels} levels"
        print(f"\nexpected accuracy under the simulator's model ({model.kind}{detail}; docs/simulator.md)")
        headers = ["domain", "best single", "5x consensus", "oracle", "best one workflow"]
        print(format_table(headers, figures, max_width=200))
        print(
            "5x consensus: five solves of the best single worker, the answer a majority gives. oracle: each task's "
            "best workflow within 5 steps, averaged. mean row: the best single worker over all domains."
        )
    return 0
