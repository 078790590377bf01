"""Hostile programs against the code verifier: no pass, no secret, no file outside, no process left behind.

Every program in hostile_programs.py is judged end to end by `verify`, with secrets planted around it: API keys
and CONDUCTOR_HOME in this process's environment, a canary file and a fake project home in a temporary folder,
a TCP port and an abstract unix socket listening on the host. Each must get a wrong verdict whose reason
(stored in Parquet) holds no secret, must leave every file outside the sandbox as it was, must start nothing
that outlives its run, and must reach nothing on the network.

These guarantees come from the operating system (isolation.py), so this module first requires that the
isolation is active: without bubblewrap it fails, saying how to install it (CI must never pass on the fallback);
CONDUCTOR_ALLOW_SANDBOX_FALLBACK=1 turns that into a skip on a developer machine.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import require_isolation
from hostile_programs import ATTACKS
from task_helpers import as_answer, code_task, function_task

from conductor.tasks.verify import verify
from conductor.tasks.verify.isolation import isolation, python_inside, site_packages
from conductor.tasks.verify.sandbox import Limits, run_program
from conductor.tasks.verify.verdict_cache import verdict_key

REPO = Path(__file__).resolve().parents[2]
DOUBLE_TEST = (
    "def check(candidate):\n    assert candidate(2) == 4\n"
    "    assert candidate(3) == 6\n    assert candidate(-1) == -2\n"
)
PERMISSIVE_TEST = (
    "def check(candidate):\n    for x in (2, 3, -1):\n        try:\n            assert candidate(x) == 2 * x\n"
    "        except BaseException:\n            pass\n"
)
UNITTEST_TEST = (
    "import unittest\n\nclass TestCases(unittest.TestCase):\n    def test_double(self):\n"
    "        self.assertEqual(f(2), 4)\n"
)
TASKS = {
    "function": function_task(DOUBLE_TEST, timeout_s=1.5),
    "permissive": function_task(PERMISSIVE_TEST, timeout_s=1.5),
    "processes": function_task(DOUBLE_TEST, timeout_s=1.5, allow_subprocess=True),
    "call": code_task(
        {"style": "call", "func_name": "double", "timeout_s": 1.5, "tests": [{"input": "2", "output": "4"}]}
    ),
    "stdio": code_task({"style": "stdio", "timeout_s": 1.5, "tests": [{"input": "2\n", "output": "4\n"}]}),
    "unittest": code_task({"style": "unittest", "test": UNITTEST_TEST, "entry_point": "f", "timeout_s": 1.5}),
}


@pytest.fixture(autouse=True)
def _isolated() -> None:
    require_isolation()


class Scene:
    """Secrets, listeners and places to check, around one hostile run."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.token = root, secrets.token_hex(12)
        self.secrets = [f"sk-{self.token}", f"hf_{self.token}", f"canary-{self.token}", f"home-{self.token}"]
        self.canary = root / "canary.txt"
        self.canary.write_text(self.secrets[2])
        self.home = root / "conductor-home"
        self.home.mkdir()
        (self.home / "secrets.env").write_text(f"OPENAI_API_KEY={self.secrets[0]}\nPASSWORD={self.secrets[3]}\n")
        monkeypatch.setenv("OPENAI_API_KEY", self.secrets[0])
        monkeypatch.setenv("HF_TOKEN", self.secrets[1])
        monkeypatch.setenv("CONDUCTOR_HOME", str(self.home))
        self.mark = str(900_000_000 + secrets.randbelow(99_999_999))
        self.host_tmp_target = Path("/tmp") / f"conductor-escape-{self.token}"
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.abstract = f"conductor-canary-{self.token}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.abstract)
        self.unix.listen(1)
        self.outside = [self.host_tmp_target, REPO / f"ESCAPED-{self.mark}", Path.home() / f"ESCAPED-{self.mark}"]

    def fill(self, program: str) -> str:
        values = {
            "CANARY": str(self.canary), "CONDUCTOR_HOME": str(self.home), "PARENT_PID": str(os.getpid()),
            "TARGET": str(self.root / "escaped.txt"), "HOST_TMP_TARGET": str(self.host_tmp_target),
            "REPO": str(REPO), "PORT": str(self.tcp.getsockname()[1]), "ABSTRACT": self.abstract, "MARK": self.mark,
        }  # fmt: skip
        for key, value in values.items():
            program = program.replace(f"@{key}@", value)
        return program

    def files(self) -> dict[str, bytes]:
        seen = {str(p.relative_to(self.root)): p.read_bytes() for p in self.root.rglob("*") if p.is_file()}
        return seen | {str(p): b"exists" for p in self.outside if p.exists()}

    def reached(self) -> bool:
        for server in (self.tcp, self.unix):
            server.setblocking(False)
            try:
                server.accept()[0].close()
                return True
            except BlockingIOError:
                pass
        return False

    def leftovers(self, wait_s: float = 3.0) -> list[str]:
        """Processes started by the program (they carry the mark) still alive; waits for a teardown in flight."""
        end = time.monotonic() + wait_s
        while True:
            alive = []
            for p in psutil.process_iter(["pid", "cmdline"]):
                cmd = " ".join(p.info["cmdline"] or [])
                if self.mark in cmd:
                    alive.append(f"{p.info['pid']}: {cmd}")
            if not alive or time.monotonic() > end:
                return alive
            time.sleep(0.05)

    def close(self) -> None:
        self.tcp.close()
        self.unix.close()
        for p in self.outside:
            p.unlink(missing_ok=True)


@pytest.fixture
def scene(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    s = Scene(tmp_path, monkeypatch)
    yield s
    s.close()


def test_os_isolation_is_active() -> None:
    iso = isolation()
    assert iso.active and iso.mode in ("bwrap-root", "bwrap-userns"), iso.detail


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_hostile_program_gets_no_pass_and_leaves_no_trace(name: str, scene: Scene) -> None:
    style, program = ATTACKS[name]
    before = scene.files()
    verdict = verify(TASKS[style], as_answer(scene.fill(program)))
    assert not verdict.correct, f"{name} passed: {verdict.reason}"
    assert "ESCAPED" not in verdict.reason
    assert not [s for s in scene.secrets if s in verdict.reason], verdict.reason
    assert scene.files() == before, "a file outside the sandbox was written, changed or deleted"
    assert scene.leftovers() == []
    assert not scene.reached(), "the program reached a socket on the host"


@pytest.mark.parametrize("attack", ["files-outside", "write-outside", "environment", "ctypes-write"])
def test_unittest_style_runs_in_the_same_jail(attack: str, scene: Scene) -> None:
    """BigCodeBench's tests share the candidate's process (so its verdict can be forged, docs/tasks.md says
    so), but not the machine: the same escapes fail there too."""
    program = scene.fill(ATTACKS[attack][1])
    before = scene.files()
    verdict = verify(TASKS["unittest"], as_answer(program))
    assert not verdict.correct and "ESCAPED" not in verdict.reason
    assert not [s for s in scene.secrets if s in verdict.reason] and scene.files() == before


def test_what_a_sandboxed_program_sees() -> None:
    """The whole view from inside: a root with system folders only, an unprivileged uid, its own PID space,
    /usr read-only, /tmp writable, no repository files (a venv inside the clone is bound read-only, so the
    clone's path itself may exist as the bind's parent), no home."""
    program = (
        "import json, os\n"
        "def writable(p):\n"
        "    try:\n"
        "        open(os.path.join(p, 'probe'), 'w').close()\n"
        "        return True\n"
        "    except OSError:\n"
        "        return False\n"
        f"print(json.dumps(dict(root=sorted(os.listdir('/')), uid=os.getuid(), pid=os.getpid(), cwd=os.getcwd(),"
        f" repo=os.path.exists({str(REPO / 'pyproject.toml')!r}), usr=writable('/usr/lib'), tmp=writable('/tmp'),"
        " procs=sorted(int(d) for d in os.listdir('/proc') if d.isdigit()))))\n"
    )
    run = run_program(program, limits=Limits(timeout_s=5))
    assert run.status == "completed", run.stderr
    seen = json.loads(run.stdout)
    # The interpreter and site-packages are bound at their own paths, so their top folder (wherever the clone
    # lives: /work, /check, /home...) shows at the root; nothing else may.
    bound = {Path(p).parts[1] for p in (os.path.realpath(sys.base_prefix), python_inside(), *site_packages())}
    assert set(seen["root"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin",
                                 "tmp", "usr"} | bound  # fmt: skip
    assert seen["uid"] != 0  # as root: a uid of the run's own; otherwise nobody in a user namespace
    assert max(seen["procs"]) < 10 and seen["pid"] < 10  # its own PID namespace: bwrap's init and itself
    assert seen["cwd"] == "/tmp" and seen["tmp"] and not seen["usr"] and not seen["repo"]


def test_concurrent_sandboxes_do_not_share_a_working_directory() -> None:
    name = f"/tmp/shared-{secrets.token_hex(6)}"
    writer = f"import time\nopen({name!r}, 'w').write('x')\ntime.sleep(1.0)\n"
    reader = f"import os, time\ntime.sleep(0.5)\nprint(os.path.exists({name!r}))\n"
    runs: dict[str, object] = {}
    threads = [
        threading.Thread(target=lambda: runs.update(w=run_program(writer, limits=Limits(timeout_s=5)))),
        threading.Thread(target=lambda: runs.update(r=run_program(reader, limits=Limits(timeout_s=5)))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert runs["r"].stdout.strip() == "False"  # type: ignore[attr-defined]
    assert not os.path.exists(name)


def test_a_hostile_verdict_poisons_no_other() -> None:
    """The verdict cache's key is the task, the isolation mode and the exact program text: a hostile program
    gets its own wrong verdict, and the honest program for the same task still passes."""
    task = TASKS["function"]
    hostile = ATTACKS["always-equal"][1]
    assert not verify(task, as_answer(hostile)).correct
    assert verify(task, as_answer("def f(x):\n    return 2 * x\n")).correct
    assert not verify(task, as_answer(hostile)).correct
    # Unambiguous: the same characters split differently between id and program are another key.
    a = function_task(DOUBLE_TEST)
    b = a.model_copy(update={"id": a.id + '", "def f'})
    assert verdict_key(a, '", "def f(x): ...') != verdict_key(b, "(x): ...")
