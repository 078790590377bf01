"""The Prefect prepare flow, run twice in a fresh process: the second run is served from Prefect's cache.

In a subprocess so Prefect's settings (a temporary PREFECT_HOME, telemetry off, an ephemeral server) stay
out of this test process. Costs ~15 s, most of it Prefect setting up its database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conductor.tasks.io import read_tasks

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import asyncio, json, os, sys
from conductor_flows.prepare import prepare_flow
from prefect.client.orchestration import get_client

out, sources = sys.argv[1], ["synthetic-arith", "humaneval"]
first = prepare_flow(sources=sources, out_dir=out)
mtimes = {name: os.stat(path).st_mtime_ns for name, path in first.items()}
second = prepare_flow(sources=sources, out_dir=out)
mtimes_after = {name: os.stat(path).st_mtime_ns for name, path in second.items()}
os.remove(second["humaneval"])  # a missing file must be rebuilt, never reported as cached
third = prepare_flow(sources=sources, out_dir=out)

async def states():
    async with get_client() as client:
        runs = await client.read_task_runs()
        return sorted([r.expected_start_time.isoformat(), r.name, r.state.name] for r in runs)

print("RESULT " + json.dumps({"first": first, "second": second, "third": third, "mtimes": mtimes,
                               "mtimes_after": mtimes_after, "states": asyncio.run(states())}))
"""


@pytest.mark.slow
def test_prepare_flow_twice_hits_the_cache(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    out = tmp_path / "tasks"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=240
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    r = json.loads(lines[-1][len("RESULT ") :])

    assert r["first"] == r["second"] == r["third"]
    assert r["mtimes"] == r["mtimes_after"]  # the second run rewrote nothing
    by_name: dict[str, list[str]] = {}
    for _, name, state in r["states"]:  # in start order
        by_name.setdefault(name, []).append(state)
    assert by_name["prepare-synthetic-arith"] == ["Completed", "Cached", "Cached"]
    assert by_name["prepare-humaneval"] == ["Completed", "Cached", "Completed"]
    assert len(read_tasks(out / "humaneval.parquet")) == 164
