"""`conductor ask`: the Conductor writes a workflow for a question, the pool runs it, the answer is printed."""

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
        "answer are printed. Default checkpoint: the newest one of the most recent run (conductor demo). With "
        "the SIMULATED pool the answer is only meaningful for prepared tasks' questions.",
    )
    p.add_argument("question", nargs="?", help="the question (or use --task)")
    p.add_argument(
        "--task",
        metavar="TASK_ID",
        help="ask a prepared task's question, e.g. from: conductor sql "
        "\"select id from tasks where split='test' limit 5\"; its answer is then verified",
    )
    p.add_argument("--checkpoint", help="a checkpoint folder, or any Hugging Face model id or path")
    p.add_argument("--pool", help="pool YAML (default: the shipped SIMULATED pool)")
    p.add_argument("--rounds", type=int, default=0, help="extra rounds in which the Conductor may revise (default 0)")
    p.add_argument(
        "--mode", choices=["ids", "descriptions"], default=None, help="how the pool is shown to the Conductor"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the rounds as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from conductor.config import Paths, RunConfig
    from conductor.iteration.campaign import latest_checkpoint, read_manifest
    from conductor.pool.spec import PoolError, load_pool

    paths = Paths()
    from conductor.cli.pool_session import known_tasks

    tasks = {t.id: t for t in known_tasks(paths)}
    if args.task:
        if args.task not in tasks:
            return fail(f'no prepared task {args.task!r} (see: conductor sql "select id from tasks limit 5")')
        args.question = tasks[args.task].question
    if not args.question:
        return fail("give a question, or --task TASK_ID")
    task = args.task and tasks[args.task] or next((t for t in tasks.values() if t.question == args.question), None)
    checkpoint = args.checkpoint or latest_checkpoint(paths)
    if checkpoint is None:
        return fail("no checkpoint given and none trained yet: run `conductor demo` first, or pass --checkpoint")
    cfg = RunConfig()
    run_dir = next(
        (
            m.parent
            for m in paths.runs.glob("*/manifest.json")
            if str(checkpoint).startswith(str(paths.checkpoints / m.parent.name))
        ),
        None,
    )
    if run_dir is not None:  # use the prompt settings the checkpoint was trained with
        cfg = RunConfig.model_validate(read_manifest(paths, run_dir.name)["config"])
    if args.mode:
        cfg.policy.prompt_mode = args.mode
    try:
        pool = load_pool(args.pool)
    except PoolError as e:
        return fail(str(e))
    from conductor.iteration.policy_cache import load_policy
    from conductor.policy.model import PolicyLoadError
    from conductor.serve.planner import PolicyPlanner

    try:
        policy = load_policy(checkpoint, cfg.policy)
    except PolicyLoadError as e:
        return fail(str(e))
    planner = PolicyPlanner(policy, cfg.policy, seed=args.seed)
    from conductor.cli.pool_session import pool_session
    from conductor.cli.render import print_execution

    with pool_session(pool, seed=args.seed) as live:
        result = asyncio.run(_ask(planner, args.question, live, cfg, args.rounds, args.seed))
    if args.json:
        print(
            json.dumps(
                result.model_dump(mode="json") if hasattr(result, "model_dump") else result, indent=2, default=str
            )
        )
        return 0
    for i, rnd in enumerate(result.rounds):
        print(f"\n######## round {i}: the Conductor wrote\n{rnd.completion.strip()}")
        if rnd.parse_error:
            print(f"(not a valid workflow: {rnd.parse_error})")
        if rnd.execution is not None:
            print_execution(rnd.execution, live, sys.stdout)
    print(f"\nfinal answer{' (SIMULATED pool)' if live.simulated else ''}: {result.answer.strip()[:2000]}")
    if task is not None:
        from conductor.tasks.verify import verify

        verdict = verify(task, result.answer)
        print(f"verified against task {task.id}: {'correct' if verdict.correct else 'wrong'} ({verdict.reason})")
    return 0


async def _ask(planner, question: str, pool, cfg, rounds: int, seed: int):
    from conductor.pool.client import PoolClient
    from conductor.workflow.rounds import run_rounds

    client = PoolClient(pool)
    try:
        return await run_rounds(
            planner,
            question,
            pool,
            client,
            extra_rounds=rounds,
            mode=cfg.policy.prompt_mode,
            template=cfg.policy.prompt_template,
            max_steps=cfg.rollout.max_steps,
            seed=seed,
            question_chars=cfg.policy.question_chars,
        )
    finally:
        close = getattr(client, "aclose", None)
        if close:
            await close()
