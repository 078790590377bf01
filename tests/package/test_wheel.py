"""The package as a user installs it: the wheel built from this tree, installed into a fresh virtual environment,
works from a directory outside the repository, and installs no generic top-level names.

No download: the wheel is installed with --no-deps and the fresh environment finds its dependencies in the
test's own environment through a .pth path line (whose own .pth files, the editable install of this project
among them, are not processed, so `conductor` can only come from the wheel)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TINY_DEMO = [
    "sources=[humaneval]",
    "tiny.size=micro",
    "tiny.sft_steps=10",
    "rollout.tasks_per_iteration=2",
    "rollout.group_size=2",
    "eval.tasks=2",
    "policy.max_new_tokens=16",
]


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{' '.join(cmd)}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


def test_the_wheel_installs_and_runs_outside_the_repo(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for pkg in ("conductor", "conductor_flows"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(src)],
        tmp_path,
        env,
    )
    (wheel,) = (tmp_path / "dist").glob("conductor-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"conductor", "conductor_flows"}  # no `benchmarks`, no `flows`
    assert "conductor/store/sql/views/01_rollouts.sql" in names
    assert "conductor/store/sql/queries/learning_curve.sql" in names
    assert "conductor/sim/default_pool.yaml" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    run([*pip, "--python", str(python), "install", "--no-deps", "-q", str(wheel)], tmp_path, env)
    site = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, env
        ).stdout.strip()
    )
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env.update(
        CONDUCTOR_HOME=str(outside / "home"),
        PREFECT_HOME=str(outside / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        HF_HUB_OFFLINE="1",
    )
    where = run([str(python), "-c", "import conductor, conductor_flows; print(conductor.__file__)"], outside, env)
    assert where.stdout.strip().startswith(str(site))

    conductor = str(venv / "bin" / "conductor")
    empty = run([conductor, "sql", "--query", "learning_curve"], outside, env)
    assert "(0 rows)" in empty.stdout
    demo = [conductor, "demo", "--iterations", "1", *[a for s in TINY_DEMO for a in ("--set", s)]]
    out = run(demo, outside, env, timeout=240)
    assert "run demo-" in out.stdout and "oracle" in out.stdout
    curve = run([conductor, "sql", "--query", "learning_curve"], outside, env)
    methods = {line.split()[2] for line in curve.stdout.splitlines()[2:-1]}  # the views read the demo's rollouts
    assert {"conductor", "random", "single:0"} <= methods, curve.stdout
