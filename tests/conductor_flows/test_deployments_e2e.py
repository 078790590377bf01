"""The deployments as a user operates them: a real `prefect server start` on 127.0.0.1 (its own PREFECT_HOME,
so its own sqlite database), `python -m conductor_flows.deployments` serving the four deployments against it,
flow runs created through the server's REST API with typed parameters, and the results read back as a user
reads them (`conductor sql`, the run manifests, the MLflow registry).

First test: a misspelt field is refused before a run exists; the campaign with a typed change (tiny settings,
1 iteration) completes, named after its run id, with its rollouts in the store; the same run extended to 2
iterations (only `iterations` and `run_id` given) completes with one more iteration.
Second test: retrain from a folder, which (no champion yet) becomes the champion through the one evaluation
path; retrain again from `models:/conductor@champion`: it continues from the first's checkpoint (new seed, the
first's training tasks avoided, the same held-out draw), and the alias moves only if the evaluation says so.

The policy is the session's bare tiny model (tests/conftest.py) on the SIMULATED pool: what is checked is the
operating path, not how well it learns. Every process is started in its own process group and killed with it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conductor.config import Paths
from conductor.iteration.manifest import read_manifest
from conductor.store.rollouts import read_rollouts

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TINY_RUN: dict[str, Any] = {
    "name": "nightly",
    "rollout": {"tasks_per_iteration": 2, "group_size": 2},
    "eval": {"tasks": 2, "baselines": False},
    "policy": {"max_new_tokens": 40},
    "tiny": {"question_chars": 120},
    "sources": ["mmlu"],
}
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class Stack:
    api: str
    home: Path
    env: dict[str, str]
    logs: Path

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-40:])
            for p in sorted(self.logs.glob("*.log"))
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """The process and everything it started (the served flow runs' subprocesses): its whole group."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait(what: str, ok: Any, stack_tail: Any, procs: list[subprocess.Popen[bytes]], limit: float) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if any(p.poll() is not None for p in procs):
            raise AssertionError(f"a process exited while waiting for {what}:\n{stack_tail()}")
        try:
            if ok():
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}:\n{stack_tail()}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("ops")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MLFLOW_TRACKING_URI"))}
    env.update(
        PREFECT_HOME=str(base / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",  # the API is what is exercised; the UI's static build only costs start time
        PREFECT_LOGGING_LEVEL="INFO",
        PREFECT_RUNNER_POLL_FREQUENCY="1",  # the served process picks a new flow run up within 1 s, not 10
        CONDUCTOR_HOME=str(base / "home"),
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false",
    )
    logs = base / "logs"
    logs.mkdir()
    s = Stack(api=api, home=base / "home", env={**env, "PREFECT_API_URL": api}, logs=logs)
    prefect = str(Path(sys.executable).with_name("prefect"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        server_cmd = [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        procs.append(_start(server_cmd, env, logs / "server.log"))
        _wait(
            "the server's /api/health", lambda: httpx.get(f"{api}/health", timeout=5).json() is True, s.tail, procs, 180
        )
        procs.append(_start([sys.executable, "-m", "conductor_flows.deployments"], s.env, logs / "serve.log"))
        names = ["conductor-campaign/campaign", "conductor-retrain/retrain"]
        _wait(
            "the served deployments",
            lambda: all(httpx.get(f"{api}/deployments/name/{n}", timeout=5).status_code == 200 for n in names),
            s.tail,
            procs,
            180,
        )
        yield s
    finally:
        for p in reversed(procs):
            _stop(p)


def _deployment(stack: Stack, name: str) -> str:
    r = httpx.get(f"{stack.api}/deployments/name/{name}", timeout=10)
    r.raise_for_status()
    return str(r.json()["id"])


def _trigger(stack: Stack, name: str, parameters: dict[str, Any]) -> httpx.Response:
    url = f"{stack.api}/deployments/{_deployment(stack, name)}/create_flow_run"
    return httpx.post(url, json={"parameters": parameters}, timeout=30)


def _run_to_the_end(stack: Stack, name: str, parameters: dict[str, Any], limit: float = 400) -> dict[str, Any]:
    """Create a flow run of deployment `name` through the API and wait for a final state; the flow run."""
    r = _trigger(stack, name, parameters)
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    end = time.monotonic() + limit
    while time.monotonic() < end:
        run = httpx.get(f"{stack.api}/flow_runs/{run_id}", timeout=10).json()
        if (run.get("state") or {}).get("type") in FINAL:
            assert run["state"]["type"] == "COMPLETED", f"{run['state']}\n{stack.tail()}"
            return dict(run)
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} of {name} did not finish in {limit} s:\n{stack.tail()}")


def _sql(stack: Stack, query: str) -> list[list[str]]:
    cmd = [sys.executable, "-m", "conductor.cli", "sql", "--csv", query]
    p = subprocess.run(cmd, env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return [line.split(",") for line in p.stdout.strip().splitlines()[1:]]


def _train_tasks(paths: Paths, run_id: str) -> set[str]:
    return set(read_rollouts(paths.rollouts, run_id, phase="train").column("task_id").to_pylist())


def test_campaign_from_the_api_with_typed_parameters_then_extended(stack, tiny_dir):
    paths = Paths(home=stack.home)
    typo = _trigger(stack, "conductor-campaign/campaign", {"config": {"iteratons": 1}})
    assert 400 <= typo.status_code < 500 and "iteratons" in typo.text, typo.text  # refused before a run exists

    config = {**TINY_RUN, "iterations": 1, "policy": {**TINY_RUN["policy"], "base_model": str(tiny_dir)}}
    run = _run_to_the_end(stack, "conductor-campaign/campaign", {"config": config})
    run_id = run["name"]  # the flow run is named after the project's run id
    assert read_manifest(paths, run_id)["config"]["rollout"]["group_size"] == 2, run_id
    counts = _sql(
        stack, f"select iteration, phase, count(*) from rollouts where run_id = '{run_id}' group by 1, 2 order by 1, 2"
    )
    assert counts == [["1", "eval", "2"], ["1", "train", "4"]]  # 2 tasks x group 2; 2 held-out, conductor only

    # extended as a user extends a finished run: its id and a larger `iterations`, the rest is its stored config
    _run_to_the_end(stack, "conductor-campaign/campaign", {"config": {"iterations": 2}, "run_id": run_id})
    assert sorted(read_manifest(paths, run_id)["iterations"]) == ["1", "2"]
    trained = _sql(
        stack, f"select count(*) from rollouts where run_id = '{run_id}' and iteration = 2 and phase = 'train'"
    )
    assert trained == [["4"]]


def _champion(paths: Paths) -> tuple[str, str]:
    from conductor import tracking
    from conductor.tracking import registry

    tracking.configure_uri(paths)
    mv = registry.alias_version("conductor")
    assert mv is not None, "no champion"
    return str(mv.version), str(mv.tags[registry.CHECKPOINT_TAG])


def test_retrain_twice_the_second_continues_from_the_firsts_champion(stack, tiny_dir):
    paths = Paths(home=stack.home)
    first = _run_to_the_end(
        stack, "conductor-retrain/retrain", {"start": str(tiny_dir), "iterations": 1, "config": TINY_RUN}
    )
    r1 = first["name"]
    m1 = read_manifest(paths, r1)
    assert m1["continues"]["generation"] == 1 and m1["continues"]["checkpoint"] == str(tiny_dir)
    # no champion yet: the one evaluation path promoted it, and said so
    assert m1["promotion"]["promoted"] is True and "no champion yet" in m1["promotion"]["reason"], m1["promotion"]
    v1, champion_checkpoint = _champion(paths)
    assert champion_checkpoint == m1["iterations"]["1"]["checkpoint"]

    second = _run_to_the_end(
        stack, "conductor-retrain/retrain", {"start": "models:/conductor@champion", "iterations": 1}
    )
    r2 = second["name"]
    m2 = read_manifest(paths, r2)
    lineage = m2["continues"]
    assert (lineage["source"], lineage["run_id"], lineage["checkpoint"]) == (
        "models:/conductor@champion",
        r1,
        champion_checkpoint,
    )
    assert m2["config"]["policy"]["base_model"] == champion_checkpoint
    assert lineage["generation"] == 2 and m2["config"]["seed"] != m1["config"]["seed"]
    assert m2["config"]["rollout"]["avoid_tasks_of"] == [r1]
    assert m2["config"]["eval"]["seed"] == m1["config"]["eval"]["seed"]  # the same held-out draw
    assert lineage["start_accuracy"] == m1["iterations"]["1"]["eval"]["conductor"]  # compared with where it began
    assert not (_train_tasks(paths, r2) & _train_tasks(paths, r1)), "the second retrain trained on used tasks"
    promotion = m2["promotion"]
    # compared like with like: the champion already had a figure on these tasks, so it was not re-evaluated
    assert promotion["champion_before"] == v1 and promotion["champion_evaluated"] is None, promotion
    v_now, now = _champion(paths)
    if promotion["promoted"]:
        assert now == m2["iterations"]["1"]["checkpoint"] and v_now != v1, promotion
    else:
        assert (v_now, now) == (v1, champion_checkpoint) and "does not beat the champion" in promotion["reason"]
