"""Every method on the SIMULATED pool: the paper's Tables 6 and 7 (accuracy, cost per question) for our pool.

    python -m benchmarks.evaluation                          # a fresh short training run, then the evaluation
    python -m benchmarks.evaluation --checkpoint latest      # ... or a checkpoint of a run here (or a folder)
    python -m benchmarks.evaluation --tasks 120 --repeats 4  # the defaults

Evaluation: `conductor eval`'s code (conductor.iteration.evaluation) with every method on the held-out tasks
of HumanEval, MMLU and JEE math, through one worker client. Without --checkpoint, a fresh short campaign
(the tiny-cpu defaults, --iterations of them) is trained first in a temporary home, and its minutes are
reported apart. The last line is machine-readable:
    evaluation conductor=<acc> best_single=<acc> moa=<acc> vote=<acc> conductor_usd=<$/question>
    moa_usd=<$/question> tasks=<n> repeats=<r>
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from conductor.config import Paths, load_run_config  # noqa: E402
from conductor.iteration.campaign import run_campaign  # noqa: E402
from conductor.iteration.evaluation import EvalRequest, evaluate_checkpoint  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="evaluate this (a folder, latest, models:/...); default: train a short run")
    ap.add_argument("--home", help="CONDUCTOR_HOME to use (default: a temporary folder)")
    ap.add_argument("--iterations", type=int, default=8, help="iterations of the fresh run (default 8)")
    ap.add_argument("--tasks", type=int, default=120)
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--methods", default="all")
    ap.add_argument("--rounds", default="0")
    args = ap.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="bench-eval-"))
    os.environ["CONDUCTOR_HOME"] = str(home)
    paths = Paths(home=home)
    checkpoint = args.checkpoint
    if checkpoint is None:
        t0 = time.perf_counter()
        cfg = load_run_config(None, [f"iterations={args.iterations}", "name=bench-eval"])
        res = run_campaign(cfg, paths)
        checkpoint = res.iterations[-1]["checkpoint"]
        print(f"trained {len(res.iterations)} iterations in {(time.perf_counter() - t0) / 60:.1f} min", flush=True)
    t0 = time.perf_counter()
    request = EvalRequest(
        checkpoint=checkpoint,
        tasks=args.tasks,
        repeats=args.repeats,
        methods=[args.methods],
        rounds=[int(x) for x in args.rounds.split(",")],
    )
    out = evaluate_checkpoint(request, paths)
    minutes = (time.perf_counter() - t0) / 60
    print(out.table(overall_only=False))
    overall = {s.method: s for s in out.summaries if s.source == "all"}
    singles = [s for m, s in overall.items() if m.startswith("single:") and s.accuracy is not None]
    best = max(singles, key=lambda s: s.accuracy or 0.0) if singles else None

    def acc(name: str) -> str:
        s = overall.get(name)
        return "nan" if s is None or s.accuracy is None else f"{s.accuracy:.4f}"

    def usd(name: str) -> str:
        s = overall.get(name)
        return "nan" if s is None else f"{s.total_usd:.6f}"

    print(f"\nevaluated {out.checkpoint} in {minutes:.1f} min")
    print(
        f"evaluation conductor={acc('conductor')} best_single={best.accuracy if best else float('nan'):.4f} "
        f"moa={acc('moa')} vote={acc('vote')} conductor_usd={usd('conductor')} moa_usd={usd('moa')} "
        f"tasks={len({r.task_id for r in out.rows})} repeats={args.repeats}"
    )


if __name__ == "__main__":
    main()
