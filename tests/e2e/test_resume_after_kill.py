"""A run killed mid-iteration (SIGKILL of a real process) resumes without losing or duplicating an iteration,
on a bad day at the provider: the SIMULATED pool injects faults at 10% of requests (the run config's `faults`),
workers time out after a second, so every kind of fault and its retries happen on the way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conductor.config import Paths

pytestmark = pytest.mark.slow


FAULTS = {"timeout": 0.02, "429": 0.02, "500": 0.02, "empty": 0.02, "garbage": 0.01, "truncated": 0.01}


def test_kill_then_resume(home, small_overrides, tmp_path):
    import yaml

    from conductor.pool.spec import load_pool

    pool = load_pool()  # the shipped simulated pool, with a short timeout so an injected hang costs a second
    pool = pool.model_copy(update={"workers": tuple(w.model_copy(update={"timeout_s": 1.0}) for w in pool.workers)})
    pool_file = tmp_path / "pool.yaml"
    pool_file.write_text(yaml.safe_dump(pool.model_dump(mode="json"), sort_keys=False))
    env = {**os.environ, "CONDUCTOR_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    faults = [f"faults.{k}={v}" for k, v in FAULTS.items()] + ["faults.retry_after_s=0.1"]
    overrides = [*small_overrides, "name=killed", "iterations=3", f"pool_file={pool_file}", *faults]
    sets = [a for o in overrides for a in ("--set", o)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "conductor.cli", "run", "--no-prefect", *sets],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    paths = Paths(home=home)
    deadline = time.monotonic() + 400
    manifest = None
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            found = list(paths.runs.glob("*/manifest.json"))
            if found:
                data = json.loads(found[0].read_text())
                if "1" in data.get("iterations", {}):
                    manifest = found[0]
                    break
            time.sleep(0.05)
        assert manifest is not None, (
            f"iteration 1 never finished: {proc.stdout.read().decode()[-3000:] if proc.poll() is not None else ''}"
        )
        os.killpg(proc.pid, signal.SIGKILL)  # mid-iteration 2
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    run_id = manifest.parent.name
    before = json.loads(manifest.read_text())
    assert sorted(before["iterations"]) == ["1"]

    from conductor.store.rollouts import read_rollouts, rows_from_table

    it1_ids = sorted(read_rollouts(paths.rollouts, run_id, 1).column("rollout_id").to_pylist())
    p = subprocess.run(
        [sys.executable, "-m", "conductor.cli", "run", "--no-prefect", "--resume", run_id, *sets],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    after = json.loads(manifest.read_text())
    assert sorted(after["iterations"]) == ["1", "2", "3"]
    assert after["iterations"]["1"] == before["iterations"]["1"], "a finished iteration is never redone"
    assert sorted(read_rollouts(paths.rollouts, run_id, 1).column("rollout_id").to_pylist()) == it1_ids
    retried = 0
    for it in (1, 2, 3):
        train = read_rollouts(paths.rollouts, run_id, it, "train")
        assert train.num_rows == 3 * 4, f"iteration {it}: {train.num_rows} train rollouts"
        assert len(set(train.column("rollout_id").to_pylist())) == train.num_rows
        slots = list(zip(*(train.column(c).to_pylist() for c in ("group_id", "sample", "round")), strict=True))
        assert len(set(slots)) == len(slots), f"iteration {it}: a rollout stored twice"
        evals = read_rollouts(paths.rollouts, run_id, it, "eval")
        keys = list(zip(*(evals.column(c).to_pylist() for c in ("policy", "task_id", "sample")), strict=True))
        assert evals.num_rows > 0 and len(set(keys)) == len(keys), f"iteration {it}: an evaluation stored twice"
        # the evaluation's baselines call every worker on every task, whatever share of plans parse
        retried += sum(len(s.retries) for t in (train, evals) for r in rows_from_table(t) for s in r.steps)
    assert retried > 0, "no injected fault reached the client"
    assert after["iterations"]["2"]["checkpoint"].endswith("iter-2")
    assert after["config"]["faults"]["rate_limit"] == 0.02  # the 429 alias, as the run recorded it
