"""The three steps of an iteration, each a plain function from a context to paths and small values.

rollout_step:  current policy writes G workflows per training task; executed, verified, rewarded, stored.
update_step:   the GRPO update reads exactly those stored rollouts and saves the next checkpoint.
evaluate_step: the new checkpoint against the cheap method set (eval.methods) by conductor.evaluate.run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from conductor.config import Paths
from conductor.errors import ConfigError
from conductor.evaluate.methods import parse_methods
from conductor.evaluate.metrics import accuracy_by_policy, expected_plan_accuracy, oracle_accuracy
from conductor.evaluate.run import run_evaluation
from conductor.iteration.context import IterationContext
from conductor.iteration.manifest import write_json
from conductor.iteration.recursion import add_recursion_round, recursion_summary
from conductor.iteration.selection import evaluation_tasks, training_tasks
from conductor.iteration.spending import BudgetReached, client_kwargs
from conductor.iteration.update import save_checkpoint, update_from_table
from conductor.iteration.update_process import launch
from conductor.policy.cache import load_policy, remember
from conductor.pool.spec import PoolSpec
from conductor.rollout.conductor_plans import conductor_jobs
from conductor.rollout.distributed import score_on_cluster
from conductor.rollout.scoring import score_jobs
from conductor.seeds import evaluation_seed
from conductor.store.rollouts import read_rollouts, rollout_files, write_rollouts
from conductor.store.schema import RolloutRow


def _log(msg: str) -> None:
    print(msg, flush=True)


def rollout_step(ctx: IterationContext) -> dict[str, Any]:
    cfg = ctx.config
    t0 = time.perf_counter()
    policy = load_policy(ctx.checkpoint_in, cfg.policy)
    pool = ctx.pool()
    avoid = used_training_tasks(ctx.paths, cfg.rollout.avoid_tasks_of)
    tasks = training_tasks(ctx.tasks(), cfg.rollout.tasks_per_iteration, cfg.seed, ctx.iteration, avoid)
    _log(f"  rollouts: {len(tasks)} tasks x {cfg.rollout.group_size} workflows on pool {pool.label}")
    jobs = conductor_jobs(
        policy,
        tasks,
        pool,
        cfg,
        iteration=ctx.iteration,
        samples=cfg.rollout.group_size,
        temperature=cfg.policy.temperature,
        seed=cfg.seed,
        randomize_pool=True,
    )
    kw = client_kwargs(cfg, ctx.paths, ctx.run_id)  # raises BudgetReached when nothing is left
    if cfg.distributed.backend == "dask":  # scored and stored part by part on the cluster's workers
        rows, files, _ = score_on_cluster(
            jobs,
            pool,
            cfg,
            run_id=ctx.run_id,
            iteration=ctx.iteration,
            phase="train",
            seed=cfg.seed,
            root=ctx.paths.rollouts,
        )
        return _rollout_summary(rows, files[0].parent, kw, t0)
    rows = score_jobs(
        jobs, pool, cfg, run_id=ctx.run_id, iteration=ctx.iteration, phase="train", seed=cfg.seed, client_kwargs=kw
    )
    if cfg.rollout.recursion_rounds >= 1:  # the recursion fine-tune: one continuation per valid rollout
        rows = add_recursion_round(
            policy,
            jobs,
            rows,
            pool,
            cfg,
            run_id=ctx.run_id,
            iteration=ctx.iteration,
            seed=cfg.seed,
            client_kwargs=kw,
        )
    path = write_rollouts(rows, ctx.paths.rollouts, ctx.run_id, ctx.iteration, "train")
    return _rollout_summary(rows, path, kw, t0, recursion=cfg.rollout.recursion_rounds >= 1)


def _rollout_summary(
    rows: list[RolloutRow], path: Path, kw: dict[str, Any], t0: float, recursion: bool = False
) -> dict[str, Any]:
    summary = summarize(rows)
    if recursion:
        summary.update(recursion_summary(rows))
    summary["seconds"] = time.perf_counter() - t0
    summary["budget_exhausted"] = bool(kw.get("budget") is not None and kw["budget"].exhausted)
    summary["cache_hits"] = sum(1 for r in rows for s in r.steps if s.cached)
    _log(
        f"  rollouts: {summary['rollouts']} stored, mean reward {summary['mean_reward']:.3f}, "
        f"parse failures {summary['parse_failure_rate']:.1%}, faults {summary['infra_faults']} -> {path}"
    )
    return {"path": str(path), **summary}


def used_training_tasks(paths: Paths, run_ids: list[str]) -> frozenset[str]:
    """Ids of the tasks the given runs trained on (read from the store)."""
    used: set[str] = set()
    for run_id in run_ids:
        table = read_rollouts(paths.rollouts, run_id, phase="train")
        if table.num_rows:
            used.update(table.column("task_id").to_pylist())
    return frozenset(used)


def summarize(rows: list[RolloutRow]) -> dict[str, Any]:
    n = len(rows) or 1
    groups: dict[str, list[float]] = {}
    for r in rows:
        groups.setdefault(r.group_id, []).append(r.reward)
    return {
        "rollouts": len(rows),
        "mean_reward": sum(r.reward for r in rows) / n,
        "accuracy": sum(r.correct for r in rows) / n,
        "parse_failure_rate": sum(r.workflow is None for r in rows) / n,
        "infra_faults": sum(r.infra_fault is not None for r in rows),
        "zero_variance_groups": sum(1 for g in groups.values() if max(g) == min(g)),
        "groups": len(groups),
        "cost_usd": sum(r.cost_usd for r in rows),
        "mean_steps": sum(r.n_steps for r in rows if r.workflow) / max(1, sum(r.workflow is not None for r in rows)),
    }


def update_step(ctx: IterationContext) -> dict[str, Any]:
    """GRPO from the stored rollouts of this iteration; saves the next checkpoint atomically."""
    cfg = ctx.config
    t0 = time.perf_counter()
    if cfg.train.processes > 1:
        return _update_in_processes(ctx, t0)
    policy = load_policy(ctx.checkpoint_in, cfg.policy)
    table = read_rollouts(ctx.paths.rollouts, ctx.run_id, ctx.iteration, "train")
    if table.num_rows == 0:
        raise RuntimeError(f"no stored rollouts for run {ctx.run_id} iteration {ctx.iteration}")
    metrics, optimizer = update_from_table(policy, table, cfg.train, checkpoint_in=ctx.checkpoint_in)
    out = ctx.checkpoint_out
    save_checkpoint(policy, optimizer, out)
    remember(out, policy)
    metrics["seconds"] = time.perf_counter() - t0
    _log(f"  update: {metrics.get('steps', 0)} optimizer steps, loss {metrics.get('loss', float('nan')):.4f} -> {out}")
    return {"checkpoint": str(out), **metrics}


def _update_in_processes(ctx: IterationContext, t0: float) -> dict[str, Any]:
    """The same update, data parallel over `train.processes` processes (conductor/iteration/update_process.py)."""
    cfg = ctx.config
    files = rollout_files(ctx.paths.rollouts, ctx.run_id, ctx.iteration, "train")
    if not files:
        raise RuntimeError(f"no stored rollouts for run {ctx.run_id} iteration {ctx.iteration}")
    out = ctx.checkpoint_out
    request = {
        "checkpoint_in": str(ctx.checkpoint_in),
        "checkpoint_out": str(out),
        "files": [str(f) for f in files],
        "policy": cfg.policy.model_dump(mode="json"),
        "train": cfg.train.model_dump(mode="json"),
    }
    metrics = launch(request, cfg.train.processes, ctx.paths.runs / ctx.run_id / f"update-{ctx.iteration}")
    metrics["seconds"] = time.perf_counter() - t0
    _log(
        f"  update: {metrics.get('steps', 0)} optimizer steps in {cfg.train.processes} processes, loss "
        f"{metrics.get('loss', float('nan')):.4f} -> {out}"
    )
    return {"checkpoint": str(out), **metrics}


def evaluation_pool(pool: PoolSpec, workers: list[int] | None) -> PoolSpec:
    """The workers an iteration's evaluation offers: `eval.workers` (e.g. the ones training never draws), else
    the whole pool. An id the pool lacks is a ConfigError rather than a silently smaller pool."""
    if workers is None:
        return pool
    missing = sorted(set(workers) - set(pool.ids))
    if missing or not workers:
        raise ConfigError(f"eval.workers {workers}: no worker {missing} in pool {pool.label} (ids {list(pool.ids)})")
    return pool.subset(workers)


def evaluate_step(ctx: IterationContext, checkpoint: Path) -> dict[str, Any]:
    """The new checkpoint on the held-out tasks, by the evaluation's one implementation
    (conductor.evaluate.run) with the run's cheap method set (eval.methods). Baselines do not depend on the
    policy: they are run once per run (same tasks, same seeds, so the same numbers) and read back afterwards."""
    cfg = ctx.config
    if ctx.iteration % cfg.eval.every and ctx.iteration != cfg.iterations:
        return {"skipped": True}
    t0 = time.perf_counter()
    pool = evaluation_pool(ctx.pool(), cfg.eval.workers)
    tasks = evaluation_tasks(ctx.tasks(), cfg.eval.tasks, cfg.seed if cfg.eval.seed is None else cfg.eval.seed)
    policy = load_policy(checkpoint, cfg.policy)
    baseline_file = ctx.paths.runs / ctx.run_id / "baselines.json"
    baselines: dict[str, float | None] = json.loads(baseline_file.read_text()) if baseline_file.exists() else {}
    methods = parse_methods(cfg.eval.methods if cfg.eval.baselines else ["conductor"], pool, [0])
    if baselines:
        methods = [m for m in methods if m.kind == "conductor"]
    try:
        kw = client_kwargs(cfg, ctx.paths, ctx.run_id)
    except BudgetReached as e:
        _log(f"  evaluate: skipped, {e}")
        return {"skipped": True, "reason": str(e)}
    rows = run_evaluation(
        policy,
        tasks,
        pool,
        cfg,
        methods,
        repeats=1,
        seed=evaluation_seed(cfg.seed),
        run_id=ctx.run_id,
        iteration=ctx.iteration,
        checkpoint=str(checkpoint),
        client_kwargs=kw,
    )
    write_rollouts(rows, ctx.paths.rollouts, ctx.run_id, ctx.iteration, "eval")
    acc = accuracy_by_policy(rows)
    if cfg.eval.baselines and not baselines:
        baselines = {k: v for k, v in acc.items() if k != "conductor"}
        if any(m.kind == "oracle" for m in methods):
            baselines["oracle"] = oracle_accuracy(pool, tasks, cfg.rollout.max_steps)
        write_json(baseline_file, baselines)
    singles = {k: v for k, v in baselines.items() if k.startswith("single:") and v is not None}
    conductor_rows = [r for r in rows if r.policy == "conductor"]
    return {
        "eval_tasks": len(tasks),
        "conductor": acc.get("conductor", 0.0),
        "conductor_expected": expected_plan_accuracy(pool, conductor_rows, tasks),
        "random": baselines.get("random"),
        "best_single": max(singles.values()) if singles else None,
        "best_single_worker": max(singles, key=lambda k: singles[k]) if singles else None,
        "singles": singles,
        "baselines": {k: v for k, v in baselines.items() if not k.startswith("single:")},
        "oracle": baselines.get("oracle"),
        "conductor_parse_failure_rate": sum(r.workflow is None for r in conductor_rows) / max(1, len(conductor_rows)),
        "conductor_mean_steps": sum(r.n_steps for r in conductor_rows) / max(1, len(conductor_rows)),
        "seconds": time.perf_counter() - t0,
    }
