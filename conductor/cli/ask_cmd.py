"""`conductor ask`: the Conductor writes a workflow for a question, the pool runs it, the answer is printed.

A thin command over conductor.serve.answer, the one question -> answer path `conductor serve` takes too (the
same planner with retries and fallback, batcher, executor and extension record: `--json` prints the record a
server response carries in its `conductor` field)."""

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
    p.add_argument("--config", help="run config to prompt a checkpoint from no run here with (as `serve`)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--temperature", type=float, default=None, help="the Conductor's sampling temperature")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the rounds as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from conductor.cli.pool_session import known_tasks, pool_session
    from conductor.cli.render import print_execution
    from conductor.config import Paths
    from conductor.pool.spec import load_pool
    from conductor.serve.answer import answer, load_served
    from conductor.serve.report import extension
    from conductor.tasks.verify import verify

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
    served = load_served(paths, args.checkpoint, mode=args.mode, config_file=args.config, overrides=args.overrides)
    with pool_session(pool, seed=args.seed) as live:
        answered = asyncio.run(
            answer(served, args.question, live, rounds=args.rounds, seed=args.seed, temperature=args.temperature)
        )
    if args.json:
        print(json.dumps(extension(answered, live, served.checkpoint), indent=2, default=str))
        return 0
    result = answered.record
    for i, rnd in enumerate(result.rounds):
        print(f"\n######## round {i}: the Conductor wrote\n{rnd.completion.strip()}")
        if rnd.parse_error:
            print(f"(not a valid workflow: {rnd.parse_error})")
        if rnd.execution is not None:
            print_execution(rnd.execution, live, sys.stdout)
    if answered.fallback is not None:
        print(f"\nno plan parsed: fallback, worker {answered.fallback_worker} answered alone")
        print_execution(answered.fallback, live, sys.stdout)
    if answered.failure:
        print(f"\nno answer: {answered.failure}")
    print(f"\nfinal answer{' (SIMULATED pool)' if live.simulated else ''}: {answered.answer.strip()[:2000]}")
    if task is not None:
        verdict = verify(task, answered.answer)
        print(f"verified against task {task.id}: {'correct' if verdict.correct else 'wrong'} ({verdict.reason})")
    return 0
