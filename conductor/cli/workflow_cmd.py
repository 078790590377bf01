"""`conductor workflow check|run`: validate raw Conductor text, or execute a hand-written workflow."""

from __future__ import annotations

import argparse
import json
import sys

from conductor.cli.common import fail, read_text_arg


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workflow", help="check or run a workflow written as the Conductor writes it")
    wsub = p.add_subparsers(dest="workflow_command", metavar="ACTION")
    c = wsub.add_parser(
        "check",
        help="parse and validate raw Conductor text",
        description="Parse and validate raw Conductor text (reasoning before the three lists is fine). "
        "Valid: exit 0 and the workflow as JSON. Invalid: exit 1 and one line naming the problem and the step.",
    )
    c.add_argument("file", nargs="?", default="-", help="file with the text, or - for standard input (default)")
    c.add_argument("--pool", help="pool YAML whose worker ids are valid (default: the shipped SIMULATED pool)")
    c.add_argument("--max-steps", type=int, default=5, help="step limit (paper: 5)")
    c.set_defaults(func=check)
    r = wsub.add_parser(
        "run",
        help="execute a hand-written workflow and print each step and the answer",
        description="Execute a workflow (the three lists) on a pool and print every step and the answer. With "
        "the SIMULATED pool (the default) a local server is started for the call; it knows the prepared tasks "
        "(conductor prepare), so ask one of their questions for meaningful answers.",
    )
    r.add_argument("file", nargs="?", default="-", help="file with the workflow text, or - for standard input")
    r.add_argument("--question", required=True, help="the question the workflow answers")
    r.add_argument("--pool", help="pool YAML (default: the shipped SIMULATED pool)")
    r.add_argument("--seed", type=int, default=0, help="seed for the workers' sampling")
    r.add_argument("--json", action="store_true", help="print the whole execution as JSON")
    r.set_defaults(func=run)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def _pool(path: str | None):
    from conductor.pool.spec import load_pool

    return load_pool(path)


def check(args: argparse.Namespace) -> int:
    from conductor.pool.spec import PoolError
    from conductor.workflow.parse import parse_workflow
    from conductor.workflow.schema import WorkflowError

    try:
        pool = _pool(args.pool)
        text = read_text_arg(args.file)
        wf = parse_workflow(text, pool_ids=list(pool.ids), max_steps=args.max_steps)
    except WorkflowError as e:
        print(f"invalid workflow ({e.code}): {e}")
        return 1
    except (PoolError, OSError, UnicodeError) as e:
        return fail(str(e))
    print(json.dumps(wf.to_lists(), indent=2, ensure_ascii=False))
    return 0


def run(args: argparse.Namespace) -> int:
    from conductor.pool.spec import PoolError
    from conductor.workflow.parse import parse_workflow
    from conductor.workflow.schema import WorkflowError

    try:
        pool = _pool(args.pool)
        wf = parse_workflow(read_text_arg(args.file), pool_ids=list(pool.ids))
    except WorkflowError as e:
        print(f"invalid workflow ({e.code}): {e}")
        return 1
    except (PoolError, OSError) as e:
        return fail(str(e))
    from conductor.cli.pool_session import pool_session
    from conductor.cli.render import print_execution

    with pool_session(pool) as live:
        import asyncio

        from conductor.pool.client import PoolClient
        from conductor.workflow.executor import execute

        async def go():
            client = PoolClient(live)
            try:
                return await execute(wf, args.question, client, seed=args.seed)
            finally:
                close = getattr(client, "aclose", None)
                if close:
                    await close()

        ex = asyncio.run(go())
    if args.json:
        print(ex.model_dump_json(indent=2))
    else:
        print_execution(ex, live, sys.stdout)
    return 0 if ex.ok else 1
