"""The trusted judge: runs a task's test code against a sandboxed candidate it reaches only through two pipes.

Started by judge.py as `python -I _judge_worker.py SOCKET_FD`, long-lived, one job at a time. A job comes over
the unix socket as a JSON header (prelude, test code, entry point, deadline) with the candidate's two pipe
descriptors attached (SCM_RIGHTS); sandbox.py started that candidate. Per job the worker forks, and the fork
1. waits for the candidate's "ready" (its program loaded and defines the entry point);
2. runs the prelude (the task's prompt: the helper functions some tests call, e.g. HumanEval's `poly`) and the
   test code in a fresh namespace where the entry point's name is the stand-in too (as in HumanEval's harness,
   where it is the candidate's function), then `check(candidate)` with that stand-in: each call sends its
   arguments as plain data and returns the candidate's decoded plain reply, or raises the candidate's
   exception as the builtin exception of that name (CandidateError for any other name);
3. reports "passed", "failed" (with the error line), "timeout", "ended" (the candidate's process ended) or
   "error" (the test code or this judge broke).
A candidate that ended, stalled, broke the protocol, returned something that is not plain data, or raised
something that is not an Exception (SystemExit, KeyboardInterrupt, its own BaseException subclass) fails the
check whatever the test code does with exceptions: the stand-in remembers it, and raises a BaseException that
`except Exception` does not catch.

Forking per job keeps one test's side effects (random seeds, patched modules) from the next, and lets a test
that never ends be killed without losing the worker. Stdlib only but for _wire.py, loaded by path.
"""

import builtins
import json
import os
import resource
import select
import signal
import socket
import sys
import time
import traceback
from types import CodeType
from typing import NoReturn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _wire import Channel, Gone, NotPlain  # noqa: E402

GRACE_S = 0.5  # after the deadline: time for the fork to report before it is killed
JUDGE_MEMORY = 4 * 1024**3
_ABORTS = ("SystemExit", "KeyboardInterrupt", "GeneratorExit")
_compiled: dict[tuple[str, str], tuple[CodeType | None, CodeType]] = {}


class CandidateError(Exception):
    """The candidate raised an exception that is not a builtin one (its own class, or one we cannot rebuild)."""


class _Broken(BaseException):
    """The candidate is out of the game; raised through the test code, which must not catch it."""


class _StandIn:
    def __init__(self, channel: Channel, entry: str, deadline: float) -> None:
        self.channel, self.entry, self.deadline = channel, entry, deadline
        self.broken: dict | None = None

    def _break(self, outcome: str, detail: str) -> NoReturn:
        self.broken = {"outcome": outcome, "detail": detail}
        raise _Broken(detail)

    def __call__(self, *args, **kwargs):
        if self.broken is not None:
            raise _Broken(self.broken["detail"])
        try:
            reply = self.channel.call(["call", self.entry, list(args), kwargs], self.deadline)
        except NotPlain as e:
            raise TypeError(f"the test passed an argument that is not plain data: {e}") from None
        except Gone as e:
            self._break("timeout" if e.kind == "timeout" else "ended" if e.kind == "ended" else "failed", str(e))
        if reply.kind == "ok":
            return reply.value
        if reply.kind == "bad":
            self._break("failed", f"the function returned a {reply.value}, which is not plain data")
        name, message = reply.error, reply.value
        cls = getattr(builtins, name, None)
        if reply.base or name in _ABORTS:
            self._break("aborted", name)
        error: Exception = CandidateError(f"{name}: {message}" if message else name)
        if isinstance(cls, type) and issubclass(cls, Exception):
            try:
                error = cls(message) if message else cls()
            except Exception:
                pass
        raise error


def _error_line(e: BaseException) -> str:
    if isinstance(e, CandidateError):
        return str(e)[:200]
    text = str(e)
    return (f"{type(e).__name__}: {text}" if text else type(e).__name__)[:200]


def _code(prelude: str, test: str) -> tuple[CodeType | None, CodeType]:
    key = (prelude, test)
    if key not in _compiled:
        try:
            pre = compile(prelude, "prelude.py", "exec") if prelude.strip() else None
        except (SyntaxError, ValueError):
            pre = None  # a prompt that is not a program by itself: the tests get no helpers from it
        if len(_compiled) > 512:
            _compiled.clear()
        _compiled[key] = (pre, compile(test, "test.py", "exec"))
    return _compiled[key]


def _check(job: dict, to_candidate: int, from_candidate: int) -> dict:
    channel = Channel(to_candidate, from_candidate)
    deadline = float(job["deadline"])
    try:
        channel.ready(deadline)
    except Gone as e:
        return {"outcome": e.kind if e.kind != "protocol" else "failed", "detail": str(e)}
    prelude, test = _code(job["prelude"], job["test"])
    stand_in = _StandIn(channel, job["entry"], deadline)
    ns: dict = {"__name__": "__judge__", "__builtins__": builtins}
    try:
        if prelude is not None:
            exec(prelude, ns)
        ns[job["entry"]] = stand_in  # tests that name the function (HumanEval/33 does) mean the candidate's
        exec(test, ns)
        if "check" not in ns:
            return {"outcome": "error", "detail": "the test code defines no check()"}
        ns["check"](stand_in)
    except BaseException as e:  # the test failed, or the candidate broke (then stand_in says how)
        if stand_in.broken is None:
            return {"outcome": "failed", "detail": _error_line(e)}
    if stand_in.broken is not None:  # a test that swallowed the candidate's failure does not pass
        return stand_in.broken
    if time.monotonic() > deadline:
        return {"outcome": "timeout", "detail": "the tests ran past the time limit"}
    return {"outcome": "passed", "detail": ""}


def _run(job: dict, fds: list[int]) -> dict:
    if len(fds) != 2:
        return {"outcome": "error", "detail": f"expected 2 descriptors, got {len(fds)}"}
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the fork: run the test, report, leave without running any cleanup of the worker's
        try:
            os.close(r)
            resource.setrlimit(resource.RLIMIT_AS, (JUDGE_MEMORY, JUDGE_MEMORY))
            outcome = _check(job, *fds)
        except BaseException as e:
            outcome = {"outcome": "error", "detail": "".join(traceback.format_exception_only(e)).strip()[-300:]}
        try:
            outcome["detail"] = str(outcome.get("detail", ""))[:500]
            os.write(w, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(w)
    for fd in fds:
        os.close(fd)
    data, poller = b"", select.poll()
    poller.register(r, select.POLLIN)
    limit = float(job["deadline"]) + GRACE_S
    while True:
        remaining = limit - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            os.kill(pid, signal.SIGKILL)
            data = b""
            break
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    if not data:
        return {"outcome": "timeout", "detail": "the test code did not finish in time"}
    return json.loads(data)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C in the parent's terminal is the parent's to handle
    sock = socket.socket(fileno=int(sys.argv[1]))
    while True:
        try:
            head, fds, _, _ = socket.recv_fds(sock, 8, 2)
            if not head:
                return  # the parent is gone
            head += _recv_exactly(sock, 8 - len(head))
            job = json.loads(_recv_exactly(sock, int.from_bytes(head, "big")))
        except (EOFError, OSError):
            return
        reply = json.dumps(_run(job, fds)).encode()
        sock.sendall(len(reply).to_bytes(8, "big") + reply)


if __name__ == "__main__":
    main()
