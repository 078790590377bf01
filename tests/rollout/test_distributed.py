"""Scale-out: the rollout batch scored on a two-worker Dask cluster started here gives the local path's rows,
each part written by its own worker process, whole GRPO groups per part."""

from __future__ import annotations

import os
import random

import pyarrow.parquet as pq
import pytest
from sim_support import arithmetic_tasks, serve

from conductor.config import RunConfig
from conductor.rollout.distributed import close_clients, score_on_cluster, split_by_group
from conductor.rollout.job import RolloutJob
from conductor.rollout.scoring import score_jobs
from conductor.store.rollouts import read_rollouts
from conductor.workflow.random_plans import random_workflow

TIMES = {"rollout_id", "latency_s", "created_at"}  # random ids and wall times: the only fields that may differ


def _jobs(tasks, pool) -> list[RolloutJob]:
    rng = random.Random(7)
    return [
        RolloutJob(
            task=t,
            pool_ids=pool.ids,
            policy="random",
            group_id=f"g:{t.id}",
            sample=s,
            workflow=random_workflow(rng, list(pool.ids), 3),
        )
        for t in tasks
        for s in range(2)
    ]


def _comparable(row) -> dict:
    data = row.model_dump(mode="json", exclude=TIMES)
    for step in data["steps"]:
        for key in ("latency_s", "started_at", "ended_at"):
            step.pop(key, None)
    return data


def test_split_keeps_groups_whole_and_depends_only_on_the_batch():
    tasks = arithmetic_tasks("split", "What is {i} + 1?", lambda i: i + 1, range(5))
    jobs = [
        RolloutJob(task=t, pool_ids=(0,), policy="p", group_id=t.id, sample=s, workflow=None)
        for t in tasks
        for s in range(2)
    ]
    parts = split_by_group(jobs, 2)
    assert sorted(i for p in parts for i in p) == list(range(10))
    assert all(
        len({jobs[i].group_id for i in p} & {jobs[i].group_id for i in q}) == 0
        for p in parts
        for q in parts
        if p is not q
    )
    assert parts == split_by_group(jobs, 2) and len(split_by_group(jobs, 9)) == 5


@pytest.mark.slow
def test_two_dask_workers_give_the_local_rows(tmp_path):
    pytest.importorskip("distributed")
    tasks = arithmetic_tasks("dask", "What is {i} * 3?", lambda i: 3 * i, range(4))
    with serve(tasks) as server:
        pool = server.pool
        jobs = _jobs(tasks, pool)
        cfg = RunConfig(distributed={"backend": "dask", "workers": 2})
        local = score_jobs(jobs, pool, cfg, run_id="r", iteration=1, phase="train", seed=3)
        try:
            rows, files, writers = score_on_cluster(
                jobs, pool, cfg, run_id="r", iteration=1, phase="train", seed=3, root=tmp_path
            )
        finally:  # closed here, not at exit, where the scheduler's last log lines meet closed handlers
            close_clients()
    assert [_comparable(r) for r in rows] == [_comparable(r) for r in local]
    assert any(r.correct for r in rows) and any(not r.correct for r in rows)  # a real mix, not all one way
    assert len(files) == 2 and len(writers) == 2 and os.getpid() not in writers  # one writer per part
    stored = read_rollouts(tmp_path, "r", 1, "train")
    assert sorted(stored.column("rollout_id").to_pylist()) == sorted(r.rollout_id for r in rows)
    by_part = [set(pq.read_table(f).column("group_id").to_pylist()) for f in files]  # a group lives in one part
    assert not (by_part[0] & by_part[1]) and len(by_part[0] | by_part[1]) == len(tasks)
