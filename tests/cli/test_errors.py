"""Errors at one boundary: every command turns the project's own errors (a bad config, an unknown preset, a
model that cannot be loaded, a missing checkpoint, pool or run) into one line `error: ...` and a non-zero exit,
with no traceback (conductor.cli.main)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conductor.cli import main


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc != 0, (out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("error: ") and expected in lines[-1], err
    assert len([line for line in lines if line.startswith("error: ")]) == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--set", "preset=huge"], "unknown preset 'huge'"),
        (["run", "--set", "policy.sft_steps=3"], "policy.sft_steps is now tiny.sft_steps"),
        (["run", "--set", "rollout.group_size=1"], "rollout.group_size"),
        (["run", "--set", "no_such=1"], "no_such"),
        (["run", "--set", "tiny=null"], "tiny"),
        (["run", "--config", "MISSING.yaml"], "MISSING.yaml"),
        (["run", "--config", "BAD.yaml"], "not valid YAML"),
        (["run", "--set", "sources=[nope]"], "unknown task source"),
        (["run", "--set", "pool_file=MISSING_POOL.yaml"], "MISSING_POOL.yaml"),
        (["run", "--resume", "no-such-run"], "no run 'no-such-run' to resume"),
        (["run", "--set", "preset=paper-7b"], "Qwen/Qwen2.5-7B-Instruct"),
        (["demo", "--set", "preset=huge"], "unknown preset 'huge'"),
        (["prepare", "--sources", "nope"], "unknown task source"),
        (["ask", "What is 2 + 2?"], "no checkpoint 'latest': none trained yet"),
        (["ask", "--checkpoint", "./no-such-checkpoint", "What is 2 + 2?"], "no-such-checkpoint"),
        (["ask", "--checkpoint", "EMPTY_DIR", "What is 2 + 2?"], "holds no saved model"),
        (["ask", "--task", "no/such-task"], "no prepared task"),
        (["pool", "show", "--pool", "MISSING_POOL.yaml"], "MISSING_POOL.yaml"),
        (["pool", "serve", "--pool", "MISSING_POOL.yaml"], "MISSING_POOL.yaml"),
        (["workflow", "run", "--question", "q", "--pool", "MISSING_POOL.yaml"], "MISSING_POOL.yaml"),
        (["sql", "--query", "no_such_query"], "no saved query 'no_such_query'"),
    ],
)
def test_each_command_fails_in_one_line(home, tmp_path, monkeypatch, capsys, argv, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "BAD.yaml").write_text("iterations: [1,\n")
    (tmp_path / "EMPTY_DIR").mkdir()
    one_line_error(capsys, argv, expected)


@pytest.mark.slow
def test_a_model_that_cannot_be_loaded_inside_the_flows_is_one_line(tmp_path):
    """The check before the flows cannot see everything (a folder that is no model): the error raised inside the
    Prefect task is still one line, Prefect's log keeps its message without a traceback, and it is not retried."""
    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    (not_a_model / "config.json").write_text("{}")  # looks like a model folder until it is loaded
    env = {**os.environ, "CONDUCTOR_HOME": str(tmp_path / "home"), "PREFECT_HOME": str(tmp_path / "prefect")}
    argv = ["run", "--set", f"policy.base_model={not_a_model}", "--set", "sources=[synthetic-arith]"]
    p = subprocess.run(
        [sys.executable, "-m", "conductor.cli", *argv, "--set", "iterations=1"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    errors = [line for line in p.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith("error: could not load model") and "not-a-model" in errors[0]
    assert len([line for line in p.stderr.splitlines() if "Task run 'rollouts" in line and "Failed" in line]) == 1
