"""Run one untrusted Python program in a separate, limited process.

What the child gets: a fresh temporary working directory (deleted afterwards), an environment with no
secrets (PATH, a UTF-8 locale, HOME/TMPDIR inside the working directory, single-threaded BLAS), limits on
memory, CPU time and file size, a wall-clock limit enforced here by killing its process group, no network
(a fresh network namespace through `unshare` where the machine allows it, and an audit hook that refuses
sockets in any case), and no writes outside its directory (the same audit hook; see _sandbox_boot.py).

`run_program` is safe to call from many threads at once: it uses no `preexec_fn`, no signals, no shared
state beyond a one-time probe for `unshare`.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

BOOT = Path(__file__).with_name("_sandbox_boot.py")
RunStatus = Literal["completed", "exited", "error", "timeout", "memory", "output_limit", "killed"]

_SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
_CREDENTIAL_DIRS = (
    ".ssh", ".aws", ".netrc", ".cache/huggingface", ".config", ".docker", ".git-credentials",
    ".pypirc", ".kube", ".gnupg", ".azure",
)  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """Per-run limits. Defaults suit HumanEval-sized problems on a small machine."""

    timeout_s: float = 5.0
    memory_mb: int = 1024
    file_mb: int = 16
    allow_subprocess: bool = False


@dataclass(frozen=True)
class RunResult:
    """What happened. `completed`: the program ran to its end; `exited`: it called exit(0) or os._exit(0)
    before its end; `error`: it exited non-zero (exception, assertion, syntax error)."""

    status: RunStatus
    returncode: int
    stdout: str
    stderr: str
    duration_s: float

    def error_line(self) -> str:
        """The last non-empty stderr line, e.g. 'AssertionError' or "NameError: name 'x' is not defined"."""
        lines = [ln.strip() for ln in self.stderr.strip().splitlines() if ln.strip()]
        return lines[-1][:200] if lines else f"exit status {self.returncode}"


@functools.lru_cache(maxsize=1)
def netns_prefix() -> tuple[str, ...]:
    """The command prefix that gives the child an empty network namespace, or () if none works here.

    Probed once: `unshare -rn` (unprivileged user namespace), then `unshare -n` (root). Set
    CONDUCTOR_SANDBOX_NETNS=0 to skip it; the audit hook still refuses sockets.
    """
    if os.environ.get("CONDUCTOR_SANDBOX_NETNS", "1") == "0":
        return ()
    for prefix in (("unshare", "-rn"), ("unshare", "-n")):
        try:
            ok = subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return prefix
    return ()


@functools.lru_cache(maxsize=1)
def _site_packages() -> list[str]:
    """This interpreter's site-packages folders. The child starts with -S (no `site`: ~12 ms faster, and
    no .pth hooks run) and gets these on its path, so candidates can still import numpy and friends."""
    return [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)]


def _deny_read() -> list[str]:
    home = Path.home()
    denied = [str(home / d) for d in _CREDENTIAL_DIRS]
    if os.environ.get("HF_HOME"):
        denied.append(os.path.realpath(os.environ["HF_HOME"]))
    return denied


def _child_env(work: Path, nonce: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        HOME=str(work),
        TMPDIR=str(work),
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
        CONDUCTOR_SANDBOX_NONCE=nonce,
    )
    return env


def _read(path: Path, limit: int) -> str:
    with open(path, "rb") as f:
        return f.read(limit).decode("utf-8", errors="replace")


def run_program(
    program: str,
    stdin: str = "",
    limits: Limits = Limits(),
    module_name: str = "__main__",
    output_limit: int = 4 * 1024 * 1024,
) -> RunResult:
    """Run `program` with `stdin` as its standard input; return its status and (capped) output."""
    with tempfile.TemporaryDirectory(prefix="conductor-sandbox-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        nonce = secrets.token_hex(16)
        (root / "program.py").write_text(program, encoding="utf-8")
        (root / "stdin.txt").write_text(stdin, encoding="utf-8")
        cfg = {
            "cpu_s": max(1, int(limits.timeout_s) + 1),
            "memory_bytes": limits.memory_mb * 1024 * 1024,
            "file_bytes": max(limits.file_mb * 1024 * 1024, output_limit + 1024),
            "allow_subprocess": limits.allow_subprocess,
            "module_name": module_name,
            "deny_read": _deny_read(),
            "site_packages": _site_packages(),
        }
        (root / "config.json").write_text(json.dumps(cfg))
        cmd = [sys.executable, "-I", "-S", "-B", str(BOOT), str(root)]
        start = time.monotonic()
        prefix = netns_prefix()
        rc, timed_out = _spawn([*prefix, *cmd], root, work, nonce, limits.timeout_s)
        if prefix and rc != 0 and _read(root / "stderr.txt", 200).startswith("unshare:"):
            # The namespace could not be made this time (e.g. a namespace limit): run with the hook alone
            # rather than failing a correct program.
            rc, timed_out = _spawn(cmd, root, work, nonce, limits.timeout_s)
        duration = time.monotonic() - start
        stdout = _read(root / "stdout.txt", output_limit)
        stderr = _read(root / "stderr.txt", 64 * 1024)
        completed = (root / "result").exists() and _read(root / "result", 64) == nonce
    return RunResult(_status(rc, timed_out, completed, stderr), rc, stdout, stderr, duration)


def _spawn(cmd: list[str], root: Path, work: Path, nonce: str, timeout_s: float) -> tuple[int, bool]:
    """Run the child to its end or to the wall-clock limit; (return code, timed out)."""
    with (
        open(root / "stdin.txt", "rb") as fin,
        open(root / "stdout.txt", "wb") as fout,
        open(root / "stderr.txt", "wb") as ferr,
    ):
        proc = subprocess.Popen(
            cmd, stdin=fin, stdout=fout, stderr=ferr, cwd=work, env=_child_env(work, nonce),
            start_new_session=True, close_fds=True,
        )  # fmt: skip
        try:
            return proc.wait(timeout=timeout_s), False
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return proc.wait(), True


def _status(rc: int, timed_out: bool, completed: bool, stderr: str) -> RunStatus:
    if timed_out or rc == -signal.SIGXCPU:
        return "timeout"
    if rc == -signal.SIGXFSZ or "[Errno 27] File too large" in stderr[-4000:]:
        return "output_limit"
    if "MemoryError" in stderr[-4000:]:
        return "memory"
    if rc == 0:
        return "completed" if completed else "exited"
    if rc < 0:
        return "killed"
    return "error"
