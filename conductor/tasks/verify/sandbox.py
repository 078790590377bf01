"""Run one untrusted Python program in a sandbox, in one of two modes, and say what happened.

- `run_program(program, stdin)`: the program runs to its end (stdio and unittest tests); its output is read
  back, capped, and `completed` means it reached its end (not an early exit(0)).
- `Candidate(program, mode="serve", entry=...)`: the program is loaded as a module and answers calls on two
  pipes (function and call tests). The tests stay on the trusted side (judge.py, code_verifier.py), which
  reads the replies as plain data with deadlines (_wire.py): the candidate can answer wrongly, late or not at
  all, but cannot touch the tests or the verdict.

How the child is kept from the machine is isolation.py's business (bubblewrap, or the loud fallback); this
module builds its job, starts it, holds the wall-clock limit and cleans up. Everything the child gets comes
through descriptors made for the run (memfds for the job, stdin, stdout, stderr; pipes for calls), so
nothing is written to a shared folder, and the child's environment (bwrap's too) holds no secret: PATH, the
locale, HOME and TMPDIR, single-threaded BLAS.

Safe from many threads at once: no `preexec_fn`, no signal handlers, no shared state but the one-time probes.
"""

from __future__ import annotations

import functools
import marshal
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from conductor.tasks.verify._wire import Channel
from conductor.tasks.verify.isolation import BOOT, UIDS, bwrap_argv, require, seccomp_fd, site_packages

RunStatus = Literal["completed", "exited", "error", "timeout", "memory", "output_limit", "killed"]

_SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
_CREDENTIAL_DIRS = (
    ".ssh", ".aws", ".netrc", ".cache/huggingface", ".config", ".docker", ".git-credentials",
    ".pypirc", ".kube", ".gnupg", ".azure",
)  # fmt: skip
THREADS = 64  # tasks (threads, and processes where allowed) per run: RLIMIT_NPROC of its own uid


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
    before its end; `error`: it exited non-zero (exception, assertion, syntax error). `started`: False when
    the sandbox itself failed to start (the program never ran: a machine problem, not the program's)."""

    status: RunStatus
    returncode: int
    stdout: str
    stderr: str
    duration_s: float
    started: bool = True

    def error_line(self) -> str:
        """The last non-empty stderr line, e.g. 'AssertionError' or "NameError: name 'x' is not defined"."""
        lines = [ln.strip() for ln in self.stderr.strip().splitlines() if ln.strip()]
        return lines[-1][:200] if lines else f"exit status {self.returncode}"


@functools.lru_cache(maxsize=1)
def netns_prefix() -> tuple[str, ...]:
    """The fallback's command prefix for an empty network namespace, or () if none works here.

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


def _child_env(home: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        HOME=home, TMPDIR=home, USER="sandbox", LOGNAME="sandbox", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1", MPLBACKEND="Agg",
    )  # fmt: skip
    return env


def _deny_read() -> list[str]:
    home = Path.home()
    denied = [str(home / d) for d in _CREDENTIAL_DIRS]
    if os.environ.get("HF_HOME"):
        denied.append(os.path.realpath(os.environ["HF_HOME"]))
    return denied


def _memfd(name: str, data: bytes = b"") -> int:
    fd = os.memfd_create(f"conductor-{name}")
    if data:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read(fd: int, limit: int) -> str:
    return os.pread(fd, limit, 0).decode("utf-8", errors="replace")


class Candidate:
    """A program started in the sandbox. A context manager: at its end the child and everything it started
    are killed and every descriptor is closed.

    mode "program": runs `program` with `stdin`; `wait()` then `result()`.
    mode "serve": loads `program` as module `module_name`, checks that `entry` exists, then answers calls;
    `channel` is the trusted side's end (pass its descriptors on, then call `released()`, to let another
    process talk to the candidate); `finish(timed_out)` ends the run and returns its result.
    """

    def __init__(
        self,
        program: str,
        limits: Limits = Limits(),
        mode: Literal["program", "serve"] = "program",
        module_name: str = "__main__",
        stdin: str = "",
        entry: str | None = None,
        cpu_s: float | None = None,
        output_limit: int = 4 * 1024 * 1024,
        prefix: tuple[str, ...] | None = None,  # the fallback's namespace prefix (None: as probed)
    ) -> None:
        self.limits, self.mode, self.output_limit = limits, mode, output_limit
        self.isolation = require()
        self._stack = ExitStack()
        self._fds: list[int] = []
        self._returncode: int | None = None
        self.channel: Channel | None = None
        child_only: list[int] = []  # descriptors only the child keeps
        try:
            self._start(program, module_name, stdin, entry, cpu_s, prefix, child_only)
        except BaseException:
            self.close()
            raise
        finally:
            for fd in child_only:
                os.close(fd)  # the child's copies are its own now (or there is no child)

    def _start(
        self,
        program: str,
        module_name: str,
        stdin: str,
        entry: str | None,
        cpu_s: float | None,
        prefix: tuple[str, ...] | None,
        child_only: list[int],
    ) -> None:
        limits = self.limits
        self.stdout, self.stderr = self._own(_memfd("stdout")), self._own(_memfd("stderr"))
        self._job_fd = self._own(_memfd("job"))
        job: dict = {
            "mode": self.mode,
            "program": program,
            "module_name": module_name,
            "cpu_s": max(1, int(cpu_s if cpu_s is not None else limits.timeout_s) + 1),
            "memory_bytes": limits.memory_mb * 1024 * 1024,
            "file_bytes": max(limits.file_mb * 1024 * 1024, self.output_limit + 1024),
            "nproc": THREADS if self.isolation.active else 0,
            "site_packages": list(site_packages()),
            "guard": None,
        }
        shared = [self._job_fd]  # descriptors the child gets and this side keeps (to read them afterwards)
        if self.mode == "serve":
            req_r, req_w = os.pipe()
            child_only.append(req_r)
            rep_r, rep_w = os.pipe()
            child_only.append(rep_w)
            self.channel = Channel(self._own(req_w), self._own(rep_r))
            job.update(requests_fd=req_r, replies_fd=rep_w, entry=entry)
            child_only.append(os.open(os.devnull, os.O_RDONLY))
        else:
            self._done_fd = self._own(_memfd("done"))
            self._nonce = secrets.token_bytes(16)
            shared.append(self._done_fd)
            job.update(done_fd=self._done_fd, nonce=self._nonce)
            child_only.append(_memfd("stdin", stdin.encode("utf-8")))
        stdin_fd = child_only[-1]
        if self.isolation.active:
            uid = self._stack.enter_context(UIDS.slot()) if self.isolation.mode == "bwrap-root" else 65534
            sfd = seccomp_fd(limits.allow_subprocess)
            if sfd is not None:
                child_only.append(sfd)
            argv, cwd, home = bwrap_argv(self.isolation.mode, uid, sfd), "/", "/tmp"
        else:
            work = tempfile.mkdtemp(prefix="conductor-sandbox-")
            self._stack.callback(shutil.rmtree, work, ignore_errors=True)
            job["guard"] = {
                "boot_dir": str(BOOT.parent),
                "work": os.path.realpath(work),
                "deny_read": _deny_read(),
                "allow_subprocess": limits.allow_subprocess,
            }
            argv = [*(netns_prefix() if prefix is None else prefix), sys.executable, "-I", "-S", "-B", str(BOOT)]
            cwd = home = work
        os.write(self._job_fd, marshal.dumps(job))
        os.lseek(self._job_fd, 0, os.SEEK_SET)
        self.start = time.monotonic()
        self.proc = subprocess.Popen(
            [*argv, str(self._job_fd)], stdin=stdin_fd, stdout=self.stdout, stderr=self.stderr,
            pass_fds=[*shared, *child_only], cwd=cwd, env=_child_env(home), start_new_session=True,
        )  # fmt: skip
        self._pidfd = self._own(os.pidfd_open(self.proc.pid))

    def _own(self, fd: int) -> int:
        self._fds.append(fd)
        return fd

    def __enter__(self) -> Candidate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def deadline(self) -> float:
        return self.start + self.limits.timeout_s

    def released(self) -> None:
        """The channel's descriptors were passed to another process (the judge): close this side's copies."""
        assert self.channel is not None
        for fd in (self.channel.to_candidate, self.channel.from_candidate):
            self._fds.remove(fd)
            os.close(fd)
        self.channel = None

    def wait(self, timeout_s: float) -> bool:
        """Wait for the child's first process to end; True if it did within `timeout_s`."""
        if self._returncode is not None:
            return True
        ready = select.poll()
        ready.register(self._pidfd, select.POLLIN)
        if not ready.poll(max(0.0, timeout_s) * 1000):
            return False
        # Not reaped yet (WNOWAIT): while the leader is a zombie its process group cannot be reused, so the
        # fallback's kill of the group below cannot hit anyone else.
        os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOWAIT)
        self._kill_group()
        self._returncode = self.proc.wait()
        return True

    def _kill_group(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # bwrap's init dies with it, and so does its namespace
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self) -> None:
        if self._returncode is None:
            self._kill_group()
            self.wait(10.0)

    @property
    def started(self) -> bool:
        """Whether the boot script got as far as reading its job (it closes it before any candidate code)."""
        return os.lseek(self._job_fd, 0, os.SEEK_CUR) > 0

    def result(self, timed_out: bool = False) -> RunResult:
        self.kill()
        rc = self._returncode if self._returncode is not None else -signal.SIGKILL
        if self.isolation.active and rc > 128:
            rc = -(rc - 128)  # bwrap reports a child killed by signal N as 128 + N
        stdout = _read(self.stdout, self.output_limit)
        stderr = _read(self.stderr, 64 * 1024)
        completed = self.mode == "program" and os.pread(self._done_fd, 64, 0) == self._nonce
        status = _status(rc, timed_out, completed, stderr)
        return RunResult(status, rc, stdout, stderr, time.monotonic() - self.start, self.started)

    def finish(self, timed_out: bool = False, ended: bool = False) -> RunResult:
        """End a served run (the trusted side is done with it, or gave up on it) and say what happened.
        `ended`: its pipe closed, so it is exiting: give it a moment to, for an honest exit status."""
        if ended:
            self.wait(1.0)
        return self.result(timed_out)

    def _close_fds(self) -> None:
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []

    def close(self) -> None:
        try:
            if hasattr(self, "_pidfd"):
                self.kill()
        finally:
            self._close_fds()
            self._stack.close()


def run_program(
    program: str,
    stdin: str = "",
    limits: Limits = Limits(),
    module_name: str = "__main__",
    output_limit: int = 4 * 1024 * 1024,
) -> RunResult:
    """Run `program` with `stdin` as its standard input; return its status and (capped) output."""
    prefix = None
    while True:
        with Candidate(program, limits, "program", module_name, stdin, output_limit=output_limit, prefix=prefix) as c:
            timed_out = not c.wait(limits.timeout_s)
            run = c.result(timed_out)
        if run.started or c.isolation.active or prefix == () or not netns_prefix():
            return run
        prefix = ()  # the fallback's network namespace could not be made this time: the audit hook alone


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
