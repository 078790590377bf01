"""The light commands as a user runs them: real processes, exit codes, one-line errors, no torch import."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

VALID = (
    "I will use two solvers and a checker.\nmodel_id = [2, 0, 3]\n"
    'subtasks = ["Solve it.", "Solve it.", "Check the answers above."]\naccess_list = [[], [], ["all"]]\n'
)


def conductor(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [sys.executable, "-m", "conductor.cli", *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        timeout=120,
    )
    return subprocess.CompletedProcess(
        p.args, p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    )


def test_check_valid_prints_json():
    p = conductor("workflow", "check", "-", stdin=VALID)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {
        "model_id": [2, 0, 3],
        "subtasks": ["Solve it.", "Solve it.", "Check the answers above."],
        "access_list": [[], [], ["all"]],
    }


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("no lists at all", "no_lists"),
        ('model_id=[1]\nsubtasks=["a b c"]\naccess_list=[[],[]]', "length_mismatch"),
        ('model_id=[7]\nsubtasks=["Solve it."]\naccess_list=[[]]', "unknown_worker"),
        (
            'model_id=[1,1,1,1,1,1]\nsubtasks=["a","a","a","a","a","a"]\naccess_list=[[],[],[],[],[],[]]',
            "too_many_steps",
        ),
    ],
)
def test_check_invalid_one_line(text, code):
    p = conductor("workflow", "check", "-", stdin=text)
    assert p.returncode == 1
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 1 and code in lines[0]
    assert "Traceback" not in p.stderr


def test_check_binary_garbage_and_missing_file_no_traceback(tmp_path):
    p = conductor("workflow", "check", "-", stdin=bytes(range(256)) * 20)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    p = conductor("workflow", "check", str(tmp_path / "nope.txt"))
    assert p.returncode == 1 and "Traceback" not in p.stderr and "nope.txt" in p.stderr


def test_check_with_pool_file(tmp_path):
    pool = tmp_path / "pool.yaml"
    pool.write_text(
        textwrap.dedent("""
        name: two
        workers:
          - {id: 10, name: a, model: a, base_url: "http://127.0.0.1:1/v1"}
          - {id: 11, name: b, model: b, base_url: "http://127.0.0.1:1/v1"}
    """)
    )
    ok = conductor(
        "workflow", "check", "-", "--pool", str(pool), stdin='model_id=[11]\nsubtasks=["Solve it."]\naccess_list=[[]]'
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = conductor("workflow", "check", "-", "--pool", str(pool), stdin=VALID)
    assert bad.returncode == 1 and "unknown_worker" in bad.stdout


@pytest.mark.parametrize("argv", [["workflow", "check", "PLAN"], ["sql", "select 1 as one"], ["pool", "show"]])
def test_light_commands_do_not_import_torch(tmp_path, argv):
    plan = tmp_path / "plan.txt"
    plan.write_text(VALID)
    argv = [str(plan) if a == "PLAN" else a for a in argv]
    code = (
        "import sys\nfrom conductor.cli import main\n"
        f"rc = main({argv!r})\n"
        "heavy = [m for m in ('torch', 'transformers', 'trl', 'prefect', 'mlflow') if m in sys.modules]\n"
        "assert not heavy, heavy\nsys.exit(rc)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stderr


def test_sql_reads_the_store_from_home(home):
    from conductor.config import Paths
    from conductor.store.rollouts import write_rollouts
    from conductor.store.schema import RolloutRow

    rows = [
        RolloutRow(
            run_id="r",
            iteration=i,
            rollout_id=f"x{i}{k}",
            task_id="t",
            source="s",
            domain="math",
            group_id="g",
            reward=r,
        )
        for i, rs in ((1, (0.0, 1.0)), (2, (1.0, 1.0)))
        for k, r in enumerate(rs)
    ]
    paths = Paths(home=home)
    write_rollouts([r for r in rows if r.iteration == 1], paths.rollouts, "r", 1, "train")
    write_rollouts([r for r in rows if r.iteration == 2], paths.rollouts, "r", 2, "train")
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
        env={**__import__("os").environ, "CONDUCTOR_HOME": str(home)},
    )
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[2].split() == ["1", "0.5"] and lines[3].split() == ["2", "1"]
    bad = subprocess.run(
        [sys.executable, "-m", "conductor.cli", "sql", "select * from nowhere"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "nowhere" in bad.stderr
