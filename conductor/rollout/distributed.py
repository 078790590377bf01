"""Scoring a batch of rollouts on a Dask cluster (`distributed.backend: dask`): the same rows as the local path.

The Conductor's generation stays where the model is; what spreads is the expensive, embarrassingly parallel
part, executing each workflow against the workers and verifying its answer (`score_jobs`). The batch is split
into parts by GRPO group (a group is never split, so a part is a set of whole groups), each part is scored on a
cluster worker, and that worker writes the part's Parquet file itself: one writer per file, as the store
requires. Results equal the local path's for a seed, because every seed a rollout uses is derived from the
rollout itself (`seeds.rollout_seed`), never from the order or place it ran in; the rows come back in the
batch's order. Only `rollout_id` (random) and wall times differ.

The cluster: `distributed.address` (a scheduler, tcp://host:8786) or, blank, a local cluster of
`distributed.workers` processes started once per process. A real cluster's workers need this project
installed, the store folder (CONDUCTOR_HOME) on a shared filesystem, and the pool's workers reachable.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path
from typing import Any

from conductor.config import DistributedConfig, RunConfig
from conductor.pool.spec import PoolSpec
from conductor.rollout.job import RolloutJob
from conductor.rollout.scoring import score_jobs
from conductor.store.rollouts import write_rollouts
from conductor.store.schema import RolloutRow

_CLIENTS: dict[tuple[str | None, int], Any] = {}


def split_by_group(jobs: list[RolloutJob], parts: int) -> list[list[int]]:
    """Job indices in `parts` parts of whole groups, groups dealt round-robin in first-seen order (empty parts
    dropped), so the split depends only on the batch."""
    groups: dict[str, int] = {}
    out: list[list[int]] = [[] for _ in range(max(1, parts))]
    for i, job in enumerate(jobs):
        g = groups.setdefault(job.group_id, len(groups))
        out[g % len(out)].append(i)
    return [p for p in out if p]


def cluster_client(cfg: DistributedConfig) -> Any:
    """A Dask client for the configured cluster, kept for the process (a local cluster starts once)."""
    from distributed import Client, LocalCluster  # the scale-out backend only (named lazy import)

    key = (cfg.address, cfg.workers)
    if key not in _CLIENTS:
        if cfg.address:
            _CLIENTS[key] = Client(cfg.address)
        else:
            cluster = LocalCluster(n_workers=cfg.workers, threads_per_worker=1, processes=True, dashboard_address=None)
            _CLIENTS[key] = Client(cluster)
    return _CLIENTS[key]


@atexit.register
def close_clients() -> None:
    """Close the clients (and the local clusters this process started)."""
    for client in _CLIENTS.values():
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    _CLIENTS.clear()


def score_part(
    jobs: list[RolloutJob],
    pool: PoolSpec,
    cfg: RunConfig,
    run_id: str,
    iteration: int,
    phase: str,
    seed: int,
    root: str,
    part: int,
) -> tuple[list[RolloutRow], str, int]:
    """Run on a cluster worker: score these jobs and write them as part `part`; rows, file and the writer's pid."""
    rows = score_jobs(jobs, pool, cfg, run_id=run_id, iteration=iteration, phase=phase, seed=seed)
    path = write_rollouts(rows, Path(root), run_id, iteration, phase, part=str(part))
    return rows, str(path), os.getpid()


def score_on_cluster(
    jobs: list[RolloutJob],
    pool: PoolSpec,
    cfg: RunConfig,
    *,
    run_id: str,
    iteration: int,
    phase: str,
    seed: int,
    root: Path,
) -> tuple[list[RolloutRow], list[Path], set[int]]:
    """`score_jobs` on the cluster: rows in the batch's order, the part files (one per part, written by the
    worker that scored it), and the writers' process ids."""
    client = cluster_client(cfg.distributed)
    parts = cfg.distributed.parts or len(client.scheduler_info(n_workers=-1)["workers"]) or 1
    split = split_by_group(jobs, parts)
    futures = [
        client.submit(
            score_part,
            [jobs[i] for i in idx],
            pool,
            cfg,
            run_id,
            iteration,
            phase,
            seed,
            str(root),
            k,
            pure=False,
            key=f"score-{run_id}-{iteration}-{phase}-{k}",
        )
        for k, idx in enumerate(split)
    ]
    rows: list[RolloutRow | None] = [None] * len(jobs)
    files, writers = [], set()
    for idx, (part_rows, path, pid) in zip(split, client.gather(futures), strict=True):
        for i, row in zip(idx, part_rows, strict=True):
            rows[i] = row
        files.append(Path(path))
        writers.add(pid)
    return [r for r in rows if r is not None], files, writers
