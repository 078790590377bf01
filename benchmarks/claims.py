"""The paper's claims, one line each, measured on the SIMULATED pool with the tiny Conductor (issue 18, item 5).

    python -m benchmarks.claims                       # trains two short runs, then measures (<= 30 min, 2 cores)
    python -m benchmarks.claims --checkpoint A --descriptions-checkpoint B --home DIR   # measure only

Two short tiny-recipe campaigns (conductor.iteration.campaign, see RECIPE):
- the **ids run**: `conductor demo`'s recipe (the tiny-cpu defaults: the shipped pool, irt model, offered whole,
  ids-only prompts, the full 1,500-step warm start, 20 iterations; --ids-iterations, --ids-sft-steps);
- the **descriptions run**: the synthetic testbed pool (conductor/sim/synthetic_pool.yaml, 16 generated
  workers), `prompt_mode: descriptions`, sub-pools of 2-4 drawn from workers 0-11 only; 12-15 never drawn;
  a shortened warm start and run (800 steps, 30 iterations; --sft-steps, --iterations).
Then every figure comes from conductor.evaluate.run.run_evaluation (methods conductor, conductor+r1, single,
vote, moa) on held-out tasks, `--repeats` times:

  (a) ids run, full pool: conductor - best single worker (the best on these very tasks)
  (b) descriptions run, four seen workers never offered together in training: conductor - best single there
  (c) ids run, full pool: conductor+r1 (one recursion round) - conductor
  (d) ids run, full pool: conductor - vote and conductor - moa, and its $/question below both
  (e) ids run, full pool: mean steps of the Conductor's plans, hardest quartile - easiest quartile (the irt
      model's difficulty level of each task, levels 0-7 in quartiles of two)
  (f) descriptions run, a pool of three seen workers and held-out worker U (never drawn in training, the best
      of the pool in its specialty and the only one described as strong at it): the share of steps given to
      U on tasks where U is the best single worker, against the share a uniform choice gives (1 / pool
      size), and conductor - best single on that pool

The rule, the same for every claim: a difference is shown when it is more than 2 standard errors above 0
(SHOWN_AT_SE). Accuracy differences are paired by task: per task the mean over repeats of method A's
correctness minus method B's, the standard error that of the mean over tasks. Step counts (e) compare two
independent groups of plans: sqrt(var1/n1 + var4/n4). The share (f) is the mean over plans of each plan's share
of steps given to U, its standard error over plans. (d) needs both differences shown and the lower cost; (f)
both the share and the accuracy difference. Output, one line per claim:

    claim <letter> shown|not-shown <what was measured> = <figure> (s.e. <se>) ...
    claims minutes=<m>
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from conductor.config import Paths, RunConfig, load_run_config  # noqa: E402
from conductor.evaluate.methods import parse_methods  # noqa: E402
from conductor.evaluate.metrics import summarize_method  # noqa: E402
from conductor.evaluate.run import run_evaluation  # noqa: E402
from conductor.iteration.campaign import load_all_tasks, run_campaign, running_pool  # noqa: E402
from conductor.iteration.selection import evaluation_tasks  # noqa: E402
from conductor.policy.cache import load_policy  # noqa: E402
from conductor.pool.draw import draw_pool  # noqa: E402
from conductor.pool.spec import PoolSpec, load_pool  # noqa: E402
from conductor.seeds import evaluation_seed, pools_seed  # noqa: E402
from conductor.sim.generator import (  # noqa: E402
    DOMAINS,
    HELD_OUT_WORKERS,
    STRONG,
    TRAIN_WORKERS,
    synthetic_recipe,
)
from conductor.sim.oracle import level_of, single_worker_accuracy  # noqa: E402
from conductor.store.rollouts import read_rollouts  # noqa: E402
from conductor.store.schema import RolloutRow  # noqa: E402
from conductor.tasks.schema import Task  # noqa: E402

SHOWN_AT_SE = 2.0  # a difference is shown when it exceeds this many standard errors
RECIPE = [  # the tiny-cpu defaults, shortened to fit two runs and their evaluation in 30 minutes on 2 cores
    "rollout.tasks_per_iteration=16",
    "rollout.group_size=8",
    "eval.tasks=24",
    "eval.baselines=false",  # the claims' own evaluation runs the baselines, once
]
IDS_RUN = ["name=claims-ids"]  # the demo's recipe: the whole pool offered, as `conductor demo` trains
DESCRIPTIONS_RUN = ["name=claims-descriptions", *synthetic_recipe(), "rollout.pool_min=2", "rollout.pool_max=4"]


def say(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------- statistics
@dataclass(frozen=True)
class Diff:
    """A difference, its standard error, and whether the rule calls it shown."""

    value: float
    se: float
    n: int

    @property
    def shown(self) -> bool:
        return self.value > SHOWN_AT_SE * self.se

    def text(self) -> str:
        return f"{self.value:+.3f} (s.e. {self.se:.3f}, n={self.n})"


def _per_task(rows: list[RolloutRow], method: str) -> dict[str, float]:
    """Per task, the mean correctness over its repeats (rows with an infrastructure fault left out)."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        if r.policy == method and r.infra_fault is None:
            hits[r.task_id].append(r.correct)
    return {t: sum(v) / len(v) for t, v in hits.items()}


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    m = sum(values) / len(values)
    return m, (statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("inf"))


def paired(rows: list[RolloutRow], a: str, b: str) -> Diff:
    """Accuracy of method a minus method b, paired by task."""
    pa, pb = _per_task(rows, a), _per_task(rows, b)
    d = [pa[t] - pb[t] for t in pa if t in pb]
    m, se = mean_se(d)
    return Diff(m, se, len(d))


def accuracy(rows: list[RolloutRow], method: str) -> float:
    per = _per_task(rows, method)
    return sum(per.values()) / len(per) if per else float("nan")


def best_single(rows: list[RolloutRow]) -> str:
    singles = sorted({r.policy for r in rows if r.policy.startswith("single:")})
    return max(singles, key=lambda m: accuracy(rows, m))


def usd_per_question(rows: list[RolloutRow], method: str, cfg: RunConfig) -> float:
    mine = [r for r in rows if r.policy == method]
    return summarize_method(mine, method, "all", cfg.eval.conductor_usd_per_million_tokens).total_usd


def steps_by_quartile(rows: list[RolloutRow], pool: PoolSpec, by_id: dict[str, Task]) -> dict[int, list[int]]:
    """Steps of each parsed Conductor plan (first round), grouped by its task's difficulty quartile (0-3)."""
    levels = pool.sim_model.levels
    out: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r.policy != "conductor" or r.workflow is None:
            continue
        level = level_of(pool, r.task_id, by_id[r.task_id].difficulty)
        if level is None:
            continue
        out[level * 4 // levels].append(r.n_steps)
    return out


def two_groups(hi: list[int], lo: list[int]) -> Diff:
    if len(hi) < 2 or len(lo) < 2:
        return Diff(float("nan"), float("inf"), len(hi) + len(lo))
    se = math.sqrt(statistics.variance(hi) / len(hi) + statistics.variance(lo) / len(lo))
    return Diff(statistics.fmean(hi) - statistics.fmean(lo), se, len(hi) + len(lo))


# ------------------------------------------------------------------------------------- training, evaluation
def train(overrides: list[str], paths: Paths, label: str) -> str:
    cfg = load_run_config(None, overrides)
    t0 = time.perf_counter()
    result = run_campaign(cfg, paths)
    last = result.iterations[-1]
    say(
        f"{label}: {len(result.iterations)} iterations in {(time.perf_counter() - t0) / 60:.1f} min, last "
        f"evaluation conductor={last['eval'].get('conductor')} -> {last['checkpoint']}"
    )
    return str(last["checkpoint"])


def evaluate(
    cfg: RunConfig,
    paths: Paths,
    checkpoint: str,
    pool_ids: Sequence[int],
    methods: list[str],
    tasks: int,
    repeats: int,
    rounds: list[int],
    label: str,
) -> tuple[list[RolloutRow], PoolSpec, list[Task]]:
    """The checkpoint and the baselines on `tasks` held-out tasks with the pool `pool_ids` (global ids kept),
    through conductor.evaluate.run, `repeats` times."""
    all_tasks = load_all_tasks(cfg, paths)
    evals = evaluation_tasks(all_tasks, tasks, cfg.seed)
    policy = load_policy(checkpoint, cfg.policy)
    t0 = time.perf_counter()
    with running_pool(cfg, paths, f"claims-{label}", all_tasks) as (full, _):
        pool = full.subset(list(pool_ids))
        rows = run_evaluation(
            policy,
            evals,
            pool,
            cfg,
            parse_methods(methods, pool, rounds),
            repeats=repeats,
            seed=evaluation_seed(cfg.seed),
            run_id=f"claims-{label}",
            iteration=cfg.iterations,
            checkpoint=checkpoint,
        )
    say(f"evaluated {label} on pool {list(pool_ids)}: {len(rows)} rows in {(time.perf_counter() - t0) / 60:.1f} min")
    say(plan_profile(rows, "conductor"))
    return rows, pool, evals


def plan_profile(rows: list[RolloutRow], method: str) -> str:
    """What the Conductor's plans look like (not a claim; to read the claims by): the share that parsed, their
    mean steps, and per domain how often each worker opened a plan."""
    mine = [r for r in rows if r.policy == method]
    parsed = [r for r in mine if r.workflow is not None]
    first: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in parsed:
        ids = json.loads(r.workflow or "{}").get("model_id") or []
        if ids:
            first[r.domain][ids[0]] += 1
    opened = "; ".join(f"{d} {dict(sorted(c.items()))}" for d, c in sorted(first.items()))
    steps = statistics.fmean(r.n_steps for r in parsed) if parsed else float("nan")
    return f"  {method}: {len(parsed)}/{len(mine)} plans parsed, {steps:.2f} steps per plan; first worker: {opened}"


def trained_compositions(cfg: RunConfig, paths: Paths, checkpoint: str) -> set[tuple[int, ...]]:
    """Every sub-pool offered in the run's training: from the store when the run is in this home, else drawn
    again exactly as conductor.rollout.conductor_plans draws them (same seeds, same order)."""
    run_id = Path(checkpoint).parent.name
    table = read_rollouts(paths.rollouts, run_id, phase="train")
    if table.num_rows:
        return {tuple(sorted(p)) for p in table.column("pool").to_pylist()}
    pool = load_pool(cfg.pool_file)
    train_pool = pool.subset(cfg.rollout.train_workers) if cfg.rollout.train_workers is not None else pool
    out = set()
    for it in range(1, cfg.iterations + 1):
        rng = random.Random(pools_seed(cfg.seed, it))
        for _ in range(cfg.rollout.tasks_per_iteration):
            out.add(tuple(draw_pool(train_pool, rng, cfg.rollout.pool_min, cfg.rollout.pool_max)))
    return out


def _skill(pool: PoolSpec, w: int, domain: str) -> float:
    sim = pool.worker(w).sim
    return sim.skill.get(domain, 0.0) if sim is not None else 0.0


def domain_best(pool: PoolSpec, ids: Sequence[int]) -> list[int]:
    """Each domain's best solver among `ids` (lowest id on ties), in DOMAINS order, without repeats."""
    out: list[int] = []
    for d in DOMAINS:
        w = max(sorted(ids), key=lambda i: _skill(pool, i, d))
        if w not in out:
            out.append(w)
    return out


def novel_pool(pool: PoolSpec, trained: set[tuple[int, ...]]) -> list[int]:
    """(b)'s pool: each domain's best seen worker plus the first other seen worker (by id) that makes a
    four-worker composition training never offered."""
    core = domain_best(pool, TRAIN_WORKERS)
    for w in TRAIN_WORKERS:
        cand = tuple(sorted({*core, w}))
        if len(cand) == 4 and cand not in trained:
            return list(cand)
    raise RuntimeError("every four-worker composition around the domain specialists was trained on")


def unseen_pool(pool: PoolSpec) -> tuple[int, list[int]]:
    """(f)'s pool: U, the held-out worker with the highest specialty skill, and for each domain the best seen
    worker not described as strong in U's specialty (skill below the generator's STRONG), so U is the pool's
    best choice there and the only one its description calls strong at it: reading the descriptions suffices."""
    u = max(HELD_OUT_WORKERS, key=lambda w: max(_skill(pool, w, d) for d in DOMAINS))
    special = max(DOMAINS, key=lambda d: _skill(pool, u, d))
    weaker = [w for w in TRAIN_WORKERS if _skill(pool, w, special) < STRONG]
    return u, sorted({u, *domain_best(pool, weaker)})


def unseen_share(rows: list[RolloutRow], pool: PoolSpec, by_id: dict[str, Task], u: int) -> tuple[Diff, int]:
    """Per Conductor plan on a task where U is the pool's best single worker: the share of its steps given to
    U, minus the uniform share 1/len(pool). A plan that did not parse counts as share 0."""
    shares = []
    for r in rows:
        if r.policy != "conductor":
            continue
        task = by_id[r.task_id]
        level = level_of(pool, task.id, task.difficulty)
        singles = single_worker_accuracy(pool, task.domain, level)
        if max(singles, key=lambda w: (singles[w], -w)) != u:
            continue
        ids = json.loads(r.workflow)["model_id"] if r.workflow else []
        shares.append(sum(1 for w in ids if w == u) / len(ids) if ids else 0.0)
    m, se = mean_se(shares)
    return Diff(m - 1 / len(pool.workers), se, len(shares)), len(shares)


# ------------------------------------------------------------------------------------------------ the claims
def claim(letter: str, shown: bool, text: str) -> str:
    return f"claim {letter} {'shown' if shown else 'not-shown'} {text}"


def ids_claims(rows: list[RolloutRow], pool: PoolSpec, evals: list[Task], cfg: RunConfig) -> list[str]:
    by_id = {t.id: t for t in evals}
    best = best_single(rows)
    a = paired(rows, "conductor", best)
    c = paired(rows, "conductor+r1", "conductor")
    dv, dm = paired(rows, "conductor", "vote"), paired(rows, "conductor", "moa")
    usd = {m: usd_per_question(rows, m, cfg) for m in ("conductor", "vote", "moa")}
    cheaper = usd["conductor"] < usd["vote"] and usd["conductor"] < usd["moa"]
    q = steps_by_quartile(rows, pool, by_id)
    e = two_groups(q.get(3, []), q.get(0, []))
    steps = " ".join(f"Q{k + 1}={statistics.fmean(q[k]):.2f}" for k in sorted(q) if q[k])
    return [
        claim(
            "a",
            a.shown,
            f"conductor - best single ({best}) on the full pool = {a.text()}; "
            f"conductor {accuracy(rows, 'conductor'):.3f}, {best} {accuracy(rows, best):.3f}",
        ),
        claim(
            "c",
            c.shown,
            f"conductor+r1 - conductor on the full pool = {c.text()}; "
            f"{accuracy(rows, 'conductor+r1'):.3f} vs {accuracy(rows, 'conductor'):.3f}",
        ),
        claim(
            "d",
            dv.shown and dm.shown and cheaper,
            f"conductor - vote = {dv.text()}, conductor - moa = {dm.text()}; $/question conductor "
            f"{usd['conductor']:.6f}, vote {usd['vote']:.6f}, moa {usd['moa']:.6f}",
        ),
        claim(
            "e",
            e.shown,
            f"mean steps, hardest - easiest difficulty quartile = {e.text()}; {steps} "
            f"(step limit {cfg.rollout.max_steps})",
        ),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", help="the ids run's checkpoint (skips training it; trained with IDS_RUN)")
    ap.add_argument(
        "--descriptions-checkpoint", help="the descriptions run's checkpoint (skips training it; DESCRIPTIONS_RUN)"
    )
    ap.add_argument("--home", help="state folder (default: a fresh temporary one)")
    ap.add_argument("--ids-iterations", type=int, default=20, help="iterations of the ids run (default 20, the demo's)")
    ap.add_argument("--ids-sft-steps", type=int, default=1500, help="warm-start steps of the ids run (default 1500)")
    ap.add_argument("--iterations", type=int, default=30, help="iterations of the descriptions run (default 30)")
    ap.add_argument("--sft-steps", type=int, default=800, help="warm-start steps of the descriptions run (default 800)")
    ap.add_argument("--tasks", type=int, default=120, help="held-out tasks evaluated (default 120)")
    ap.add_argument("--repeats", type=int, default=2, help="repeats of every evaluated method (default 2)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override both runs' config")
    ap.add_argument("--json", help="write the claim lines and figures to this file")
    args = ap.parse_args()
    t0 = time.perf_counter()
    home = Path(args.home or tempfile.mkdtemp(prefix="conductor-claims-"))
    os.environ["CONDUCTOR_HOME"] = str(home)
    paths = Paths(home=home)

    def length(iterations: int, sft_steps: int) -> list[str]:
        return [f"iterations={iterations}", f"eval.every={iterations}", f"tiny.sft_steps={sft_steps}"]

    ids_over = [*RECIPE, *length(args.ids_iterations, args.ids_sft_steps), *IDS_RUN, *args.set]
    desc_over = [*RECIPE, *length(args.iterations, args.sft_steps), *DESCRIPTIONS_RUN, *args.set]
    ids_cfg, desc_cfg = load_run_config(None, ids_over), load_run_config(None, desc_over)
    ids_ckpt = args.checkpoint or train(ids_over, paths, "ids run")
    desc_ckpt = args.descriptions_checkpoint or train(desc_over, paths, "descriptions run")

    def run_eval(cfg: RunConfig, ckpt: str, ids: Sequence[int], methods: list[str], rounds: list[int], label: str):
        return evaluate(cfg, paths, ckpt, ids, methods, args.tasks, args.repeats, rounds, label)

    rows, pool, evals = run_eval(
        ids_cfg, ids_ckpt, load_pool(ids_cfg.pool_file).ids, ["conductor", "single", "vote", "moa"], [0, 1], "ids"
    )
    lines = ids_claims(rows, pool, evals, ids_cfg)

    synth = load_pool(desc_cfg.pool_file)
    b_ids = novel_pool(synth, trained_compositions(desc_cfg, paths, desc_ckpt))
    b_rows, _, _ = run_eval(desc_cfg, desc_ckpt, b_ids, ["conductor", "single"], [0], "novel")
    b_best = best_single(b_rows)
    b = paired(b_rows, "conductor", b_best)
    lines.insert(
        1,
        claim(
            "b",
            b.shown,
            f"conductor - best single ({b_best}) on seen workers {b_ids}, a composition never offered in training "
            f"(descriptions run) = {b.text()}; conductor {accuracy(b_rows, 'conductor'):.3f}",
        ),
    )

    u, f_ids = unseen_pool(synth)
    f_rows, f_pool, f_evals = run_eval(desc_cfg, desc_ckpt, f_ids, ["conductor", "single"], [0], "unseen")
    share, n_plans = unseen_share(f_rows, f_pool, {t.id: t for t in f_evals}, u)
    f_best = best_single(f_rows)
    fa = paired(f_rows, "conductor", f_best)
    lines.append(
        claim(
            "f",
            share.shown and fa.shown,
            f"share of steps to unseen worker {u} where it is the best choice, minus uniform "
            f"{1 / len(f_ids):.2f} = {share.text()}; conductor - best single ({f_best}) on pool {f_ids} = "
            f"{fa.text()}",
        )
    )
    minutes = (time.perf_counter() - t0) / 60
    say("")
    for line in lines:
        say(line)
    say(f"claims minutes={minutes:.1f}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"lines": lines, "minutes": minutes, "checkpoints": [ids_ckpt, desc_ckpt], "plans_f": n_plans}, indent=2
            )
        )


if __name__ == "__main__":
    main()
