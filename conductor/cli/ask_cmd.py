"""`conductor ask`: the Conductor writes a workflow for a question, the pool runs it, the answer is printed.

A thin command over conductor.serve.answer (the one question -> answer path)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from conductor.cli.common import fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask",
        help="the Conductor writes and runs a workflow for a question",
        description="The Conductor writes a workflow for QUESTION, the pool executes it, and each step and the "
        "answer are printed. Default checkpoint: the newest one of the most recent run (conductor demo), prompted "
        "as it was trained; a checkpoint from no run here (a hub id, a folder) is prompted as paper-7b prompts a "
        "real base model. With the SIMULATED pool the answer is only meaningful for prepared tasks' questions.",
    )
    p.add_argument("question", nargs="?", help="the question (or use --task)")
    p.add_argument(
        "--task",
        metavar="TASK_ID",
        help="ask a prepared task's question, e.g. from: conductor sql "
        "\"select id from tasks where split='test' limit 5\"; its answer is then verified",
    )
    p.add_argument(
        "--checkpoint", help="a checkpoint folder, a registered model (models:/NAME@ALIAS), or a Hugging Face id"
    )
    p.add_argument("--pool", help="pool YAML (default: the shipped SIMULATED pool)")
    p.add_argument("--rounds", type=int, default=0, help="extra rounds in which the Conductor may revise (default 0)")
    p.add_argument(
        "--mode", choices=["ids", "descriptions"], default=None, help="how the pool is shown to the Conductor"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the rounds as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from conductor.cli.pool_session import known_tasks, pool_session
    from conductor.cli.render import print_execution
    from conductor.config import Paths
    from conductor.pool.spec import load_pool
    from conductor.serve.answer import answer, load_served
    from conductor.tasks.verify import verify
    from conductor.tracking import registry

    paths = Paths()
    tasks = {t.id: t for t in known_tasks(paths)}
    if args.task:
        if args.task not in tasks:
            return fail(f'no prepared task {args.task!r} (see: conductor sql "select id from tasks limit 5")')
        args.question = tasks[args.task].question
    if not args.question:
        return fail("give a question, or --task TASK_ID")
    task = tasks[args.task] if args.task else next((t for t in tasks.values() if t.question == args.question), None)
    pool = load_pool(args.pool)
    if registry.is_model_uri(args.checkpoint):
        args.checkpoint = str(registry.resolve_model_uri(paths, args.checkpoint))
    served = load_served(paths, args.checkpoint, mode=args.mode, seed=args.seed)
    with pool_session(pool, seed=args.seed) as live:
        result = asyncio.run(answer(served, args.question, live, rounds=args.rounds, seed=args.seed))
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2, default=str))
        return 0
    for i, rnd in enumerate(result.rounds):
        print(f"\n######## round {i}: the Conductor wrote\n{rnd.completion.strip()}")
        if rnd.parse_error:
            print(f"(not a valid workflow: {rnd.parse_error})")
        if rnd.execution is not None:
            print_execution(rnd.execution, live, sys.stdout)
    print(f"\nfinal answer{' (SIMULATED pool)' if live.simulated else ''}: {result.answer.strip()[:2000]}")
    if task is not None:
        verdict = verify(task, result.answer)
        print(f"verified against task {task.id}: {'correct' if verdict.correct else 'wrong'} ({verdict.reason})")
    return 0
