"""The whole path, for real: prepare -> rollouts over HTTP -> Parquet -> GRPO update -> evaluate, as Prefect
flow runs tracked in MLflow, then queried with `conductor sql` from the project root."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conductor.config import Paths, load_run_config

pytestmark = pytest.mark.slow


def test_two_iterations_as_prefect_flows(home, small_overrides):
    from conductor_flows.campaign import campaign_flow

    cfg = load_run_config(None, small_overrides)
    out = campaign_flow(cfg.model_dump(mode="json"))
    paths = Paths(home=home)
    run_id = out["run_id"]
    assert [it["iteration"] for it in out["iterations"]] == [1, 2]

    # the store: train rollouts = tasks x group per iteration; eval = conductor + singles + random per task
    from conductor.store.db import connect

    con = connect(paths)
    counts = con.execute(
        "select iteration, phase, count(*) from rollouts where run_id = ? group by 1, 2 order by 1, 2", [run_id]
    ).fetchall()
    n_workers = 5
    # baselines do not depend on the policy: run once (iteration 1), read back afterwards
    assert counts == [(1, "eval", 6 * (n_workers + 2)), (1, "train", 12), (2, "eval", 6), (2, "train", 12)]
    assert (
        con.execute(
            "select count(*) from rollouts where phase='train' and cardinality(logprobs) = 0 and parse_error is null"
        ).fetchone()[0]
        == 0
    )
    assert con.execute("select bool_and(pool_simulated) from rollouts").fetchone()[0] is True

    # each iteration's checkpoint exists and differs from the one it started from
    for it in out["iterations"]:
        assert (paths.checkpoints / run_id / f"iter-{it['iteration']}" / "config.json").exists()
        ev = it["eval"]
        assert 0.0 <= ev["conductor"] <= 1.0 and ev["oracle"] > ev["best_single"]
        assert 0.0 <= ev["conductor_expected"] <= 1.0  # its plans scored by the simulated pool's model

    # MLflow: one run per iteration, tagged SIMULATED, with training metrics and the eval table
    import mlflow

    mlflow.set_tracking_uri(paths.mlflow_uri)
    runs = mlflow.search_runs(experiment_names=[cfg.name], output_format="list")
    mine = [r for r in runs if r.data.tags.get("conductor.run_id") == run_id]
    parent = [r for r in mine if r.data.tags.get("conductor.kind") == "campaign"]
    mine = [r for r in mine if r.data.tags.get("conductor.kind") != "campaign"]
    assert len(mine) == 2 and len(parent) == 1
    # a campaign is one parent run; each iteration nested under it, linked to its Prefect flow run
    assert all(r.data.tags["mlflow.parentRunId"] == parent[0].info.run_id for r in mine)
    assert all(r.data.tags.get("prefect.flow_run_id") for r in mine)
    curve = mlflow.tracking.MlflowClient().get_metric_history(parent[0].info.run_id, "eval.conductor")
    assert sorted(m.step for m in curve) == [1, 2]  # the learning curve: one point per iteration
    assert mlflow.get_experiment_by_name(cfg.name).tags["mlflow.experimentKind"] == "custom_model_development"
    from conductor.tracking import registry

    final = registry.version_of_checkpoint(cfg.eval.registered_model, out["iterations"][-1]["checkpoint"])
    assert final is not None  # the campaign's final checkpoint is a registered version
    for r in mine:
        assert r.data.tags["pool.simulated"] == "true"
        assert "eval.conductor" in r.data.metrics and "rollouts.mean_reward" in r.data.metrics
        assert "eval.conductor_expected" in r.data.metrics
        client = mlflow.tracking.MlflowClient()
        assert client.get_metric_history(r.info.run_id, "train.loss"), "per-step training metrics"
        assert "eval_table.json" in [a.path for a in client.list_artifacts(r.info.run_id)]

    # Prefect: a campaign flow run with one completed subflow run per iteration
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    async def flow_runs():
        async with get_client() as c:
            return await c.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[f"{run_id}-iter1", f"{run_id}-iter2"]))
            )

    import asyncio

    runs = asyncio.run(flow_runs())
    assert sorted(r.name for r in runs) == [f"{run_id}-iter1", f"{run_id}-iter2"]
    assert all(r.state.is_completed() for r in runs)

    # the user's query, from the project root (CONDUCTOR_HOME here)
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "conductor.cli",
            "sql",
            "select iteration, avg(reward) from rollouts group by 1 order by 1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CONDUCTOR_HOME": str(home)},
    )
    assert p.returncode == 0 and "(2 rows)" in p.stdout, p.stdout + p.stderr

    manifest = json.loads((paths.runs / run_id / "manifest.json").read_text())
    assert sorted(manifest["iterations"]) == ["1", "2"]
