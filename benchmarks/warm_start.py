"""Does the tiny recipe's default warm start teach the format? Parse rate and worker choice at temperature 1.

    python -m benchmarks.warm_start --home DIR               # the defaults (tiny.sft_steps etc.)
    python -m benchmarks.warm_start --home DIR --set tiny.sft_steps=600

Builds (or reuses, under DIR) the warm-started tiny Conductor exactly as `conductor demo` and the learning
benchmark build it (conductor.tiny.bootstrap.tiny_checkpoint, real tasks, the default SIMULATED pool), then
samples 16 plans per held-out task at temperature 1.0, each prompt offering a random sub-pool as training
draws them, and counts how they parse. The last line:

    warm_start steps=<n> parseable=<share> unknown_worker=<share> distinct_first=<n> seconds=<s>

Targets (what RL needs to start from; the test suite used to assert them on a toy prompt, 4 minutes of CI):
parseable above 0.80 (a plan cut off by the length cap does not parse), unknown_worker (a plan naming a
worker the prompt did not offer) below 0.35, and at least 5 different workers opening the plans (the warm
start teaches the format, not a preference). The tiny recipe only: `paper-7b` has no warm start.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from conductor.config import Paths, load_run_config  # noqa: E402
from conductor.iteration.campaign import load_all_tasks  # noqa: E402
from conductor.iteration.selection import evaluation_tasks  # noqa: E402
from conductor.policy.cache import load_policy  # noqa: E402
from conductor.pool.spec import load_pool  # noqa: E402
from conductor.rollout.conductor_plans import conductor_jobs  # noqa: E402
from conductor.tiny.bootstrap import tiny_checkpoint  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", help="state folder for tasks and the checkpoint (default: CONDUCTOR_HOME)")
    ap.add_argument("--tasks", type=int, default=24, help="held-out tasks to sample on (default 24)")
    ap.add_argument("--samples", type=int, default=16, help="plans per task (default 16)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a run-config override")
    args = ap.parse_args()

    paths = Paths(home=Path(args.home)) if args.home else Paths()
    cfg = load_run_config(None, args.set)
    pool = load_pool(cfg.pool_file)
    tasks = load_all_tasks(cfg, paths)
    t0 = time.perf_counter()
    checkpoint = tiny_checkpoint(cfg, paths, tasks, pool)
    seconds = time.perf_counter() - t0
    policy = load_policy(str(checkpoint), cfg.policy)
    held_out = evaluation_tasks(tasks, args.tasks, cfg.seed)
    jobs = conductor_jobs(
        policy, held_out, pool, cfg, iteration=0, samples=args.samples, temperature=1.0, seed=cfg.seed,
        randomize_pool=True,
    )  # fmt: skip
    codes = Counter("ok" if j.workflow is not None else (j.parse_error.code if j.parse_error else "?") for j in jobs)
    firsts = Counter(j.workflow.steps[0].worker for j in jobs if j.workflow is not None and j.workflow.steps)
    n = len(jobs)
    print(f"outcomes over {n} plans: {dict(codes)}")
    print(
        f"warm_start steps={cfg.tiny.sft_steps if cfg.tiny else 0} parseable={codes['ok'] / n:.3f} "
        f"unknown_worker={codes['unknown_worker'] / n:.3f} distinct_first={len(firsts)} seconds={seconds:.0f}"
    )


if __name__ == "__main__":
    main()
