"""A run killed mid-iteration (SIGKILL of a real process) resumes without losing or duplicating an iteration."""

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


def test_kill_then_resume(home, small_overrides):
    env = {**os.environ, "CONDUCTOR_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    sets = [a for o in [*small_overrides, "name=killed", "iterations=3"] for a in ("--set", o)]
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

    from conductor.store.rollouts import read_rollouts

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
    for it in (2, 3):
        train = read_rollouts(paths.rollouts, run_id, it, "train")
        assert train.num_rows == 3 * 4, f"iteration {it}: {train.num_rows} train rollouts"
        assert len(set(train.column("rollout_id").to_pylist())) == train.num_rows
    assert after["iterations"]["2"]["checkpoint"].endswith("iter-2")
