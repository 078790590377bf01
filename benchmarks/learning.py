"""Does coordination emerge from reward alone? The tiny Conductor trained with GRPO on the SIMULATED pool.

    python -m benchmarks.learning              # the full recipe (about 17 minutes on 2 CPU cores)
    python -m benchmarks.learning --unseen     # ... then the unseen-worker run (about 35 minutes in all)
    python -m benchmarks.learning --quick      # a few iterations, to check that it runs (about 4 minutes)
    python -m benchmarks.learning --pool conductor/sim/independent_pool.yaml   # the first simulator's model

The pool is the shipped one (the irt behaviour model, docs/simulator.md) unless --pool (or --set pool_file=...)
names another; the first simulator's figures reproduce with its pool file, `sim_model: independent`.

Training: randomized pools (k uniform in [2, 4] of the 5 simulated workers, global ids), ids-only prompts
(the paper's way), training tasks from HumanEval, MMLU and JEE math; the tiny-cpu defaults otherwise
(docs/performance.md says what each of their learning settings bought). Evaluation: held-out tasks on the held-out
pool (all 5 workers at once, a composition never offered in training), against each single worker, random
workflows and the oracle (the best expected accuracy of any workflow within the paper's 5 steps, from the
simulator's model, whatever step limit the run uses). Then the
same checkpoint with one extra recursion round. With --unseen, a second run in descriptions mode never shows
worker 4 in training and is evaluated on the full pool, worker 4 included.

The last line is machine-readable:
    learning conductor=<acc> best_single=<acc> random=<acc> oracle=<acc> ratio_to_oracle=<x> minutes=<m>
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from dataclasses import replace  # noqa: E402
from typing import Any  # noqa: E402

from conductor.config import Paths, RunConfig, load_run_config  # noqa: E402
from conductor.evaluate.jobs import evaluation_jobs  # noqa: E402
from conductor.evaluate.metrics import accuracy_by_policy, expected_plan_accuracy, oracle_accuracy  # noqa: E402
from conductor.iteration.campaign import load_all_tasks, run_campaign, running_pool  # noqa: E402
from conductor.iteration.selection import evaluation_tasks  # noqa: E402
from conductor.policy.cache import load_policy  # noqa: E402
from conductor.pool.client import PoolClient  # noqa: E402
from conductor.pool.spec import load_pool  # noqa: E402
from conductor.rollout.scoring import score_jobs  # noqa: E402
from conductor.seeds import evaluation_seed  # noqa: E402
from conductor.serve.planner import PolicyPlanner  # noqa: E402
from conductor.tasks.verify import verify_many  # noqa: E402
from conductor.workflow.conductor_prompt import PromptSettings  # noqa: E402
from conductor.workflow.rounds import RoundsRecord, run_rounds  # noqa: E402
from conductor.workflow.schema import MAX_STEPS  # noqa: E402

FULL = [
    "name=learning",
    "iterations=100",
    "rollout.tasks_per_iteration=16",
    "rollout.group_size=8",
    "rollout.pool_min=2",
    "rollout.pool_max=4",
    "eval.tasks=60",
    "eval.every=10",
]  # everything else: the tiny-cpu defaults (docs/performance.md says what each of the recipe's settings bought)
QUICK = [
    "name=learning-quick",
    "iterations=4",
    "rollout.tasks_per_iteration=8",
    "rollout.group_size=6",
    "rollout.pool_min=2",
    "rollout.pool_max=4",
    "eval.tasks=24",
    "eval.every=2",
    "tiny.sft_steps=600",
]


def recursion_accuracy(cfg: RunConfig, paths: Paths, checkpoint: str, rounds: int) -> float:
    """Accuracy of the checkpoint on the evaluation tasks when it may revise its answer `rounds` times.

    As first measured, the prompt states the paper's 5-step limit rather than the run's (the run's template,
    mode and question crop otherwise)."""
    tasks = load_all_tasks(cfg, paths)
    evals = evaluation_tasks(tasks, cfg.eval.tasks, cfg.seed)
    policy = load_policy(checkpoint, cfg.policy)
    planner = PolicyPlanner(policy, cfg.policy, retries=1, seed=cfg.seed)
    settings = replace(PromptSettings.from_config(cfg), max_steps=MAX_STEPS)
    with running_pool(cfg, paths, "recursion-eval", tasks) as (pool, _):

        async def go() -> list[RoundsRecord]:
            client = PoolClient(pool)
            out = []
            for t in evals:  # sequential planning (one model), concurrent workers inside each workflow
                out.append(
                    await run_rounds(
                        planner,
                        t.question,
                        pool,
                        client,
                        settings,
                        extra_rounds=rounds,
                        seed=cfg.seed,
                    )
                )
            await client.aclose()
            return out

        records = asyncio.run(go())
    verdicts = verify_many([(t, r.answer) for t, r in zip(evals, records, strict=True)])
    return sum(v.correct for v in verdicts) / len(verdicts)


def pool_report(
    cfg: RunConfig, paths: Paths, checkpoint: str, pool_ids: list[int], watch: int | None = None
) -> dict[str, Any]:
    """The checkpoint on the held-out tasks with the pool `pool_ids` (global ids kept), planned and scored as
    the campaign's evaluation does (with the last iteration's seeds: on the full pool this is exactly that
    iteration's evaluation): the Conductor's measured and expected accuracy, each single worker's, the
    oracle's (the paper's 5 steps), and how many of the Conductor's steps went to worker `watch`."""
    tasks = load_all_tasks(cfg, paths)
    evals = evaluation_tasks(tasks, cfg.eval.tasks, cfg.seed)
    policy = load_policy(checkpoint, cfg.policy)
    with running_pool(cfg, paths, "pool-eval", tasks) as (full, _):
        pool = full.subset(pool_ids)
        jobs = evaluation_jobs(policy, evals, pool, cfg, cfg.iterations, baselines=True)
        rows = score_jobs(
            jobs, pool, cfg, run_id="pool-eval", iteration=cfg.iterations, phase="eval", seed=evaluation_seed(cfg.seed)
        )
    acc = accuracy_by_policy(rows)
    plans = [r for r in rows if r.policy == "conductor"]
    steps = [w for r in plans if r.workflow for w in json.loads(r.workflow)["model_id"]]
    singles = {k: v for k, v in acc.items() if k.startswith("single:")}
    return {
        "pool": list(pool_ids),
        "conductor": acc.get("conductor", 0.0),
        "conductor_expected": expected_plan_accuracy(pool, plans, evals),
        "best_single": max(singles.values()),
        "singles": singles,
        "random": acc.get("random"),
        "oracle": oracle_accuracy(pool, evals, MAX_STEPS),
        "steps": len(steps),
        "steps_to_watched": sum(1 for w in steps if w == watch) if watch is not None else None,
    }


def train_and_report(overrides: list[str], paths: Paths, label: str) -> dict[str, Any]:
    cfg = load_run_config(None, overrides)
    t0 = time.perf_counter()
    result = run_campaign(cfg, paths)
    minutes = (time.perf_counter() - t0) / 60
    evals = [it for it in result.iterations if not it["eval"].get("skipped")]
    curve = [(it["iteration"], it["eval"].get("conductor")) for it in evals]
    expected_curve = [(it["iteration"], round(it["eval"]["conductor_expected"], 3)) for it in evals]
    last = result.iterations[-1]["eval"]
    out = {
        "label": label,
        "run_id": result.run_id,
        "minutes": minutes,
        "curve": curve,
        "expected_curve": expected_curve,
        "conductor": last["conductor"],
        "conductor_expected": last["conductor_expected"],
        "best_single": last["best_single"],
        "best_single_worker": last["best_single_worker"],
        "singles": last["singles"],
        "random": last["random"],
        "oracle": last["oracle"],
        "mean_steps": last.get("conductor_mean_steps"),
        "checkpoint": result.iterations[-1]["checkpoint"],
        "config": cfg,
    }
    if cfg.rollout.max_steps != MAX_STEPS:
        # A shorter step limit lowers the run's own oracle; the target stays the paper's 5-step oracle.
        held_out = evaluation_tasks(load_all_tasks(cfg, paths), cfg.eval.tasks, cfg.seed)
        out["oracle_at_step_limit"] = out["oracle"]
        out["oracle"] = oracle_accuracy(load_pool(cfg.pool_file), held_out, MAX_STEPS)
    out["ratio_to_oracle"] = out["conductor"] / out["oracle"] if out["oracle"] else None
    out["expected_ratio_to_oracle"] = out["conductor_expected"] / out["oracle"] if out["oracle"] else None
    return out


UNSEEN = 4  # the worker the unseen-worker study never offers in training


def run_unseen(base: list[str], paths: Paths) -> dict[str, Any]:
    """Descriptions mode, worker 4 never offered in training, evaluated on the full pool (worker 4 included)
    and on the pool [0, 1, 2, 4]."""
    unseen = train_and_report(
        [
            *base,
            "name=learning-unseen",
            "policy.prompt_mode=descriptions",
            "rollout.train_workers=[0,1,2,3]",
            "rollout.pool_min=2",
            "rollout.pool_max=4",
        ],
        paths,
        "descriptions, worker 4 unseen",
    )
    print(
        f"unseen-worker run: conductor={unseen['conductor']:.3f} oracle={unseen['oracle']:.3f} "
        f"best_single={unseen['best_single']:.3f} curve={unseen['curve']}",
        flush=True,
    )
    # The full pool is also a size never offered in training (at most 4 of the 4 seen workers): a second
    # held-out pool of a trained size, worker 4 in place of worker 3, separates the two novelties.
    unseen["pools"] = [
        pool_report(unseen["config"], paths, unseen["checkpoint"], ids, watch=UNSEEN)
        for ids in ([0, 1, 2, 3, 4], [0, 1, 2, 4])
    ]
    for r in unseen["pools"]:
        print(
            f"unseen-worker run on pool {r['pool']}: conductor={r['conductor']:.3f} "
            f"(plans' expected {r['conductor_expected']:.3f}) best_single={r['best_single']:.3f} "
            f"oracle={r['oracle']:.3f}; steps given to worker {UNSEEN}: {r['steps_to_watched']} of {r['steps']}",
            flush=True,
        )
    return {k: v for k, v in unseen.items() if k != "config"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a few iterations only")
    ap.add_argument("--unseen", action="store_true", help="also run the descriptions-mode unseen-worker study")
    ap.add_argument("--unseen-only", action="store_true", help="run only the unseen-worker study (no last line)")
    ap.add_argument("--home", help="state folder (default: a fresh temporary one)")
    ap.add_argument("--pool", help="pool file (default: the shipped SIMULATED pool); same as --set pool_file=FILE")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a run-config field")
    ap.add_argument("--json", help="write all figures to this file")
    args = ap.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="conductor-learning-"))
    os.environ["CONDUCTOR_HOME"] = str(home)
    paths = Paths(home=home)
    base = (QUICK if args.quick else FULL) + ([f"pool_file={args.pool}"] if args.pool else []) + args.set
    if args.unseen_only:
        unseen = run_unseen(base, paths)
        if args.json:
            Path(args.json).write_text(json.dumps({"unseen": unseen}, indent=2, default=str))
        return
    main_run = train_and_report(base, paths, "ids, held-out pool")
    print(f"\nlearning curve (held-out tasks, full pool): {main_run['curve']}", flush=True)
    print(
        f"expected accuracy of its plans (SIMULATED pool model, no execution noise): {main_run['expected_curve']}",
        flush=True,
    )
    rec = recursion_accuracy(main_run["config"], paths, main_run["checkpoint"], rounds=1)
    rec0 = recursion_accuracy(main_run["config"], paths, main_run["checkpoint"], rounds=0)
    figures = {
        "main": {k: v for k, v in main_run.items() if k != "config"},
        "recursion": {"rounds0": rec0, "rounds1": rec},
    }
    if args.unseen:
        figures["unseen"] = run_unseen(base, paths)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    print(f"recursion: one extra round {rec:.3f} vs none {rec0:.3f} (same checkpoint, same tasks)")
    print(f"singles: {json.dumps(main_run['singles'])}  mean steps: {main_run['mean_steps']}")
    if "oracle_at_step_limit" in main_run:
        print(
            f"oracle within the run's own step limit: {main_run['oracle_at_step_limit']:.3f} "
            f"(the last line's oracle is the paper's, {MAX_STEPS} steps)"
        )
    m = main_run
    print(
        f"plans: expected accuracy {m['conductor_expected']:.3f}, ratio to the oracle "
        f"{m['expected_ratio_to_oracle']:.3f} (the measured figure below adds the simulator's coin flips)"
    )
    print(
        f"learning conductor={m['conductor']:.3f} best_single={m['best_single']:.3f} random={m['random']:.3f} "
        f"oracle={m['oracle']:.3f} ratio_to_oracle={m['ratio_to_oracle']:.3f} minutes={m['minutes']:.1f}"
    )


if __name__ == "__main__":
    main()
