"""The sandbox's limits, each on a program that would break it without the limit, in both modes where the
mode matters (bubblewrap, and the fallback for machines without it). tests/tasks/test_hostile_code.py goes
further, with programs that try to get out or to fake a pass."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from conductor.tasks.verify.isolation import isolation
from conductor.tasks.verify.sandbox import Limits, netns_prefix, run_program

FAST = Limits(timeout_s=2.0, memory_mb=512)


def test_runs_and_captures_output() -> None:
    run = run_program("import sys\nprint(sum(map(int, sys.stdin.read().split())))", stdin="1 2 3", limits=FAST)
    assert run.status == "completed" and run.stdout.strip() == "6"


def test_infinite_loop_is_killed_at_the_time_limit() -> None:
    run = run_program("while True:\n    pass\n", limits=Limits(timeout_s=1.0))
    assert run.status == "timeout"
    assert run.duration_s < 5


def test_memory_limit() -> None:
    run = run_program("x = bytearray(2 * 1024**3)\nprint('allocated')", limits=FAST)
    assert run.status == "memory" and "allocated" not in run.stdout


def test_secrets_in_the_parent_environment_are_not_visible(sandbox_mode: str, monkeypatch) -> None:
    monkeypatch.setenv("CONDUCTOR_TEST_SECRET", "s3cret-value")
    program = (
        "import os\n"
        "print(os.environ.get('CONDUCTOR_TEST_SECRET'))\n"
        "print(sorted(os.environ))\n"
        "try:\n"
        f"    print(open('/proc/{os.getpid()}/environ').read())\n"
        "except OSError as e:\n"  # refused by the hook, or (bubblewrap) no such process in its PID namespace
        "    print('refused')\n"
    )
    run = run_program(program, limits=FAST)
    assert "s3cret-value" not in run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == "None" and "refused" in run.stdout


@pytest.mark.parametrize("netns", ["bwrap", "1", "0"], ids=["bubblewrap", "fallback-namespace+hook", "fallback-hook"])
def test_no_network_even_to_localhost(netns: str, monkeypatch) -> None:
    """Each layer alone keeps the program off the network: bubblewrap's network namespace, and in the
    fallback the namespace made by unshare (where it works) and the audit hook (everywhere)."""
    monkeypatch.setenv("CONDUCTOR_SANDBOX", "auto" if netns == "bwrap" else "fallback")
    monkeypatch.setenv("CONDUCTOR_SANDBOX_NETNS", "1" if netns == "bwrap" else netns)
    netns_prefix.cache_clear()
    isolation.cache_clear()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    program = f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\nprint('connected')"
    run = run_program(program, limits=FAST)
    server.setblocking(False)
    try:
        server.accept()  # a completed handshake would be waiting in the backlog
        reached = True
    except BlockingIOError:
        reached = False
    finally:
        server.close()
    netns_prefix.cache_clear()
    isolation.cache_clear()
    assert run.status == "error" and "connected" not in run.stdout
    assert not reached


def test_writes_outside_the_working_directory_are_refused(sandbox_mode: str, tmp_path: Path) -> None:
    target = tmp_path / "escaped.txt"
    program = (
        "import os, pathlib, tempfile\n"
        "open('inside.txt', 'w').write('ok')\n"
        "tempfile.NamedTemporaryFile().write(b'ok')\n"
        "print(open('inside.txt').read())\n"
        f"pathlib.Path({str(target)!r}).write_text('escaped')\n"
    )
    run = run_program(program, limits=FAST)
    assert run.stdout.strip() == "ok"  # writing inside works
    assert run.status == "error" and not target.exists()
    if sandbox_mode == "fallback":
        assert "outside the working directory" in run.stderr  # the hook's refusal; bubblewrap: no such folder


def test_deleting_outside_files_is_refused(sandbox_mode: str, tmp_path: Path) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("precious")
    run = run_program(f"import os\nos.remove({str(keep)!r})", limits=FAST)
    assert run.status == "error" and keep.read_text() == "precious"


def test_starting_processes_is_refused(sandbox_mode: str) -> None:
    run = run_program("import subprocess\nsubprocess.run(['true'])\nprint('spawned')", limits=FAST)
    assert run.status == "error" and "spawned" not in run.stdout


def test_exiting_early_is_not_completing() -> None:
    """sys.exit(0) or os._exit(0) before the tests run must not look like a pass (a known reward hack)."""
    for program in ("import sys\nsys.exit(0)\nassert False", "import os\nos._exit(0)\nassert False"):
        run = run_program(program, limits=FAST)
        assert run.returncode == 0 and run.status == "exited"


def test_output_is_capped() -> None:
    run = run_program("print('x' * (200 * 1024 * 1024))", limits=Limits(timeout_s=5, memory_mb=1024, file_mb=1))
    assert run.status in ("output_limit", "memory")
    assert len(run.stdout) <= 4 * 1024 * 1024
