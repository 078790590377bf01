"""The first code a sandboxed child runs (stdlib only; executed as `python -I -S -B _sandbox_boot.py ROOT`).

Why a boot script and not `preexec_fn`: the parent checks candidates from many threads at once, and
`preexec_fn` is unsafe in a threaded parent. So the child limits itself before the candidate runs:

1. reads its nonce from the environment and deletes it (the candidate never sees it);
2. sets resource limits: address space (memory), CPU seconds, file size, no core dumps;
3. installs an audit hook that refuses sockets, new processes, signals to other processes, writes outside
   the working directory, and reads of other processes' /proc entries or of credential folders;
4. runs the program with `exec`; if it ran to the end, writes the nonce to ROOT/result, so the parent can
   tell "tests completed" from "the program exited early with status 0" (a known reward hack).

Audit hooks are a seatbelt, not a jail: code that loads native libraries can get past them. The parent adds
a network namespace (unshare) where the machine allows it. For hostile code, run workers in containers.
"""

import json
import os
import re
import resource
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


def _install_guard(work: str, deny_read: list[str], allow_subprocess: bool) -> None:
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


def _limit(kind: int, value: int) -> None:
    try:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))
    except (ValueError, OSError):
        pass  # a limit the platform does not support: the parent's wall-clock limit still holds


def main() -> None:
    root = sys.argv[1]
    nonce = os.environ.pop("CONDUCTOR_SANDBOX_NONCE", "")
    with open(os.path.join(root, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(root, "program.py"), encoding="utf-8") as f:
        source = f.read()
    work = os.path.realpath(os.path.join(root, "work"))
    os.chdir(work)
    result = open(os.path.join(root, "result"), "w")  # opened before the guard, which would refuse it
    sys.dont_write_bytecode = True
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [work] + [p for p in sys.path if p and os.path.realpath(p) != here] + cfg.get("site_packages", [])
    sys.argv = ["program.py"]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, int(cfg["cpu_s"]))
    _limit(resource.RLIMIT_FSIZE, int(cfg["file_bytes"]))
    _limit(resource.RLIMIT_AS, int(cfg["memory_bytes"]))
    _install_guard(work, cfg.get("deny_read", []), bool(cfg.get("allow_subprocess", False)))

    try:
        code = compile(source, "program.py", "exec")
    except SyntaxError as e:
        print(f"SyntaxError: {e.msg} (line {e.lineno})", file=sys.stderr)
        sys.exit(3)
    namespace = {"__name__": cfg.get("module_name", "__main__"), "__builtins__": __builtins__}
    try:
        exec(code, namespace)
    except SystemExit as e:
        # An early exit: fine for a stdin/stdout program (its output is what counts), not for tests.
        sys.stdout.flush()
        raise SystemExit(e.code) from None
    sys.stdout.flush()
    result.write(nonce)
    result.close()


if __name__ == "__main__":
    main()
