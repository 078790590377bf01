"""The fallback's seatbelt: an audit hook for machines where the OS cannot isolate the candidate (isolation.py).

Loaded by the boot script only there. It refuses sockets, new processes, signals to other processes, writes,
deletes and renames outside the working directory, and reads of other processes' /proc entries and of
credential folders. Audit hooks are a seatbelt, not a jail: code that loads native libraries (ctypes) gets
past them, and reads elsewhere stay possible (imports need them). This is what every check had before
bubblewrap; with bubblewrap the operating system does all of it and more, and this file is not loaded.
"""

import os
import re
import sys
import threading

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PROC = re.compile(r"^/proc/(\d+)(?:/|$)")
_PROCESS_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.startfile",
}
_PATH_EVENTS_FIRST = {
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.utime",
    "os.truncate",
    "os.mkfifo",
    "os.mknod",
    "os.chflags",
    "os.setxattr",
    "os.removexattr",
    "shutil.rmtree",
}
_PATH_EVENTS_BOTH = {"os.rename", "os.link"}


def install(work: str, deny_read: list[str], allow_subprocess: bool) -> None:
    """Refuse, from now on in this process, what the module docstring lists."""
    work_prefix = work.rstrip(os.sep) + os.sep
    own_pid = str(os.getpid())
    local = threading.local()
    realpath, fsdecode = os.path.realpath, os.fsdecode

    def inside(path: object) -> bool:
        if isinstance(path, int):
            return True  # an already-open descriptor: it was allowed when it was opened
        p = realpath(fsdecode(path))  # type: ignore[arg-type]
        return p == work.rstrip(os.sep) or p.startswith(work_prefix) or p == "/dev/null"

    def check_read(path: object) -> None:
        if isinstance(path, int):
            return
        p = realpath(fsdecode(path))  # type: ignore[arg-type]
        m = _PROC.match(p)
        if m and m.group(1) != own_pid:
            raise PermissionError(f"sandbox: reading another process's /proc entry is refused: {p}")
        for d in deny_read:
            if p == d or p.startswith(d + os.sep):
                raise PermissionError(f"sandbox: reading {p} is refused")

    def hook(event: str, args: tuple) -> None:
        if getattr(local, "busy", False):
            return
        local.busy = True
        try:
            if event == "open":
                path, mode, flags = args
                writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
                    (flags or 0) & _WRITE_FLAGS
                )
                if writing and not inside(path):
                    raise PermissionError(f"sandbox: writing outside the working directory is refused: {path}")
                check_read(path)
            elif event.startswith("socket."):
                raise PermissionError(f"sandbox: network access is refused ({event})")
            elif event in _PROCESS_EVENTS and not allow_subprocess:
                raise PermissionError(f"sandbox: starting processes is refused ({event})")
            elif event in ("os.kill", "os.killpg") and str(args[0]) != own_pid:
                raise PermissionError("sandbox: signalling other processes is refused")
            elif event in _PATH_EVENTS_FIRST and not inside(args[0]):
                raise PermissionError(f"sandbox: changing files outside the working directory is refused ({event})")
            elif event in _PATH_EVENTS_BOTH and not (inside(args[0]) and inside(args[1])):
                raise PermissionError(f"sandbox: changing files outside the working directory is refused ({event})")
            elif event == "os.symlink" and not inside(args[1]):
                raise PermissionError("sandbox: creating links outside the working directory is refused")
        finally:
            local.busy = False

    sys.addaudithook(hook)
