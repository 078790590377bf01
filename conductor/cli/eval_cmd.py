"""`conductor eval`: one checkpoint against every baseline on the same tasks and pool, with repeats, cost and
a record (store rows, an MLflow run; with --promote, the registry's `champion`). A thin command over
conductor.iteration.evaluation (the evaluate flow wraps the same call)."""

from __future__ import annotations

import argparse


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="evaluate a checkpoint against every baseline (accuracy ± s.e., cost, calls), recorded in MLflow",
        description="Evaluate a Conductor checkpoint and the baselines (single:<id>, reflect:<id>, consensus:<id>, "
        "vote, moa, random, oracle) on the same held-out tasks and pool, through one worker client. Prints the "
        "resolved checkpoint and pool, then the table; rows go to the store (conductor sql --query "
        "eval_accuracy), figures to an MLflow run. Defaults: 48 held-out tasks, 4 repeats, every method, no "
        "recursion round.",
    )
    p.add_argument(
        "--checkpoint",
        default="latest",
        help="a folder, 'latest', 'latest:<run id>', 'models:/NAME@ALIAS' or a hub id (default: latest)",
    )
    p.add_argument("--pool", help="pool YAML (default: the run's, else the SIMULATED pool)")
    p.add_argument("--sources", nargs="+", help="task sources (default: the run's)")
    p.add_argument("--split", choices=["test", "train"], default="test", help="default: test (held out)")
    p.add_argument("--tasks", type=int, default=48, help="tasks, balanced by domain (default 48)")
    p.add_argument("--repeats", type=int, default=4, help="repeats of every method (default 4)")
    p.add_argument("--rounds", type=_ints, default=[0], help="recursion rounds of the Conductor, e.g. 0,1")
    p.add_argument("--methods", default="all", help="comma list, e.g. conductor,single,moa,vote (default: all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--promote", action="store_true", help="move `champion` here if it beats the champion")
    p.add_argument("--no-mlflow", action="store_true", help="do not log an MLflow run")
    p.add_argument("--by-source", action="store_true", help="also print every source's lines")
    p.add_argument("--prefect", action="store_true", help="run as the evaluate Prefect flow (with artifacts)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from conductor.config import Paths
    from conductor.errors import ConfigError
    from conductor.iteration.evaluation import EvalRequest, evaluate_checkpoint

    if args.tasks < 1 or args.repeats < 1:
        raise ConfigError("--tasks and --repeats must be at least 1")
    request = EvalRequest(
        checkpoint=args.checkpoint,
        pool_file=args.pool,
        sources=args.sources,
        split=args.split,
        tasks=args.tasks,
        repeats=args.repeats,
        rounds=args.rounds,
        methods=[args.methods],
        seed=args.seed,
        promote=args.promote,
        track=not args.no_mlflow,
    )
    paths = Paths()
    if args.prefect:
        from conductor_flows.evaluate import evaluate_flow

        out = evaluate_flow(request)
        print(out["table"])
        print(f"\n{out['eval_id']}: {out['seconds'] / 60:.1f} min; artifacts: evaluation-table, conductor-workflows")
        return 0
    outcome = evaluate_checkpoint(request, paths)
    print()
    print(outcome.table(overall_only=not args.by_source))
    faults = sum(s.infra_faults for s in outcome.summaries if s.source == "all")
    print(
        f"\naccuracy: mean ± standard error over {request.repeats} repeat(s) (one repeat: over tasks); rows with a "
        f"worker fault are left out of accuracy ({faults} infra faults, counted per method in 'faults')"
    )
    if outcome.simulated:
        print("pool is SIMULATED: accuracies follow docs/simulator.md's model, not real workers")
    print(f"\nfinished in {outcome.seconds / 60:.1f} min; rows: {outcome.store_path}")
    print(f'  query them: conductor sql --query eval_accuracy   (run_id = "{outcome.eval_id}")')
    if outcome.mlflow_run_id:
        print(f"MLflow run: {outcome.mlflow_run_id}  (mlflow ui --backend-store-uri {paths.mlflow_uri})")
    if outcome.decision is not None:
        print(f"promotion: {outcome.decision.reason}")
    return 0
