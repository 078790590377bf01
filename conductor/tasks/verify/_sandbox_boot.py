"""The first code a sandboxed child runs: `python -I -S -B _sandbox_boot.py JOB_FD` (sandbox.py starts it).

It imports nothing that is not built in (marshal, os, sys, resource, binascii): a fresh interpreter per
candidate is most of a code check's cost, and `import json` alone would add a third to it.

1. reads its job (marshal: config and program, written by the trusted parent) from JOB_FD and closes it;
2. sets resource limits: address space, CPU seconds, file size, processes, no core dumps;
3. where the OS gives no isolation (the fallback, see isolation.py), installs today's audit hook, a seatbelt
   that native code can get past (_sandbox_guard.py);
4. then, by the job's mode:
   - "program" (stdio and unittest tests): runs the program to its end and, only then, writes the job's nonce
     to the done descriptor, so an early exit(0) does not look like a finished test run;
   - "serve" (function and call tests): loads the program as a module, says "ready", and answers requests on
     its request pipe, one at a time: call a function (or a method of a fresh instance) with the plain
     arguments given, reply with the plain return value, or with the exception's type name, message and
     whether it is an Exception (not a bare BaseException such as SystemExit).

In "serve" mode the tests are not here: they run in the trusted judge and the verdict is made there. So what
this process says is only ever *the candidate's answer*: it may lie about its answers (that is what wrong
answers are), never about the tests. Replies are JSON text with a few one-key tags (see _wire.py), written
here by hand; the trusted side decodes them with a strict decoder.
"""

import binascii
import marshal
import os
import resource
import sys

_INF = float("inf")
_MAX_DEPTH = 100
_PLAIN_BASES: tuple[type, ...] = (int, float, str, bytes, complex, list, tuple, set, frozenset, dict)
_HEX_BITS = 13_000  # ints past about 3,900 digits travel in hex (decimal conversion is capped and quadratic)


class _NotPlain(Exception):
    pass


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _text(s: str) -> str:
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    return '{"u":"' + _b64(s.encode("utf-8", "surrogatepass")) + '"}'


def _items(values, depth: int) -> str:  # values: whatever the candidate returned (no typing import here)
    return ",".join([to_json(v, depth + 1) for v in values])


def to_json(v, depth: int = 0) -> str:
    """The wire form of a plain value (see _wire.py); _NotPlain for anything else."""
    if depth > _MAX_DEPTH:
        raise _NotPlain("nested too deeply")
    t = type(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return int.__repr__(v) if v.bit_length() <= _HEX_BITS else '{"x":"' + format(v, "x") + '"}'
    if t is float:
        if v != v:
            return "NaN"
        if v == _INF or v == -_INF:
            return "Infinity" if v > 0 else "-Infinity"
        return float.__repr__(v)
    if t is str:
        return _text(v)
    if t is list:
        return "[" + _items(v, depth) + "]"
    if t is tuple:
        return '{"t":[' + _items(v, depth) + "]}"
    if t is set:
        return '{"s":[' + _items(v, depth) + "]}"
    if t is frozenset:
        return '{"f":[' + _items(v, depth) + "]}"
    if t is dict:
        pairs = [f"[{to_json(k, depth + 1)},{to_json(x, depth + 1)}]" for k, x in v.items()]
        return '{"d":[' + ",".join(pairs) + "]}"
    if t is bytes or t is bytearray:
        return '{"b":"' + _b64(bytes(v)) + '"}'
    if t is complex:
        return '{"c":[' + to_json(v.real) + "," + to_json(v.imag) + "]}"
    return to_json(_coerced(v), depth + 1)


def _coerced(v):
    """A subclass of a plain type, or a numpy scalar, as the builtin value it stands for."""
    for base in _PLAIN_BASES:
        if isinstance(v, base):
            return base(v)
    if type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0 and hasattr(v, "item"):
        item = v.item()
        if type(item) in (bool, int, float, complex, str, bytes):
            return item
    raise _NotPlain(type(v).__name__)


# ---- frames (blocking; the trusted side does the waiting with deadlines) ----


def _send(fd: int, text: str) -> None:
    payload = text.encode("utf-8", "surrogatepass")
    view = memoryview(len(payload).to_bytes(4, "big") + payload)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> bytes | None:
    head = _read_exactly(fd, 4)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "big"))


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# ---- the run ----


def _limit(kind: int, value: int) -> None:
    try:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass  # a limit the platform does not support: the parent's wall-clock limit still holds


def _reply(fd: int, outcome: object) -> None:
    try:
        text = '["ok",' + to_json(outcome) + "]"
    except _NotPlain as e:
        text = '["bad",' + _text(str(e)[:200]) + "]"
    except RecursionError:
        text = '["bad","nested too deeply"]'
    _send(fd, text)


def _serve(ns: dict, requests: int, replies: int) -> None:
    """Answer requests until the trusted side closes its end."""
    while True:
        raw = _receive(requests)
        if raw is None:
            return
        request = marshal.loads(raw)
        try:
            if request[0] == "call":
                outcome = ns[request[1]](*request[2], **request[3])
            else:  # "method": a fresh instance per call, as LeetCode's judge makes one
                outcome = getattr(ns[request[1]](), request[2])(*request[3])
        except BaseException as e:  # SystemExit and KeyboardInterrupt too: the judge decides what they mean
            try:
                message = str(e)[:500]
            except BaseException:
                message = ""
            plain = "true" if isinstance(e, Exception) else "false"  # false: SystemExit, KeyboardInterrupt, ...
            _send(replies, '["raise",' + _text(type(e).__name__[:100]) + "," + _text(message) + "," + plain + "]")
            continue
        _reply(replies, outcome)


def main() -> None:
    with os.fdopen(int(sys.argv[1]), "rb") as f:
        job = marshal.loads(f.read())
    sys.dont_write_bytecode = True
    sys.argv = ["program.py"]
    sys.path[:] = [os.getcwd()] + [p for p in sys.path if p] + job["site_packages"]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    sys.set_int_max_str_digits(0)  # as before Python 3.11: a program may print a 10,000-digit answer
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, job["cpu_s"])
    _limit(resource.RLIMIT_FSIZE, job["file_bytes"])
    _limit(resource.RLIMIT_AS, job["memory_bytes"])
    if job["nproc"]:
        _limit(resource.RLIMIT_NPROC, job["nproc"])
    if job["guard"] is not None:  # no OS isolation on this machine: the audit hook is all there is
        sys.path.insert(0, job["guard"].pop("boot_dir"))
        from _sandbox_guard import install

        del sys.path[0]
        install(**job["guard"])
    try:
        code = compile(job["program"], "program.py", "exec")
    except (SyntaxError, ValueError) as e:
        print(f"{type(e).__name__}: {getattr(e, 'msg', e)} (line {getattr(e, 'lineno', None)})", file=sys.stderr)
        sys.exit(3)
    ns = {"__name__": job["module_name"], "__builtins__": __builtins__}
    if job["mode"] == "serve":
        requests, replies, entry = job["requests_fd"], job["replies_fd"], job["entry"]
        del job
        exec(code, ns)
        if entry not in ns:
            print(f"NameError: name '{entry}' is not defined", file=sys.stderr)
            sys.exit(1)
        _send(replies, '["ready"]')
        _serve(ns, requests, replies)
        return
    done, nonce = job["done_fd"], job["nonce"]
    del job
    try:
        exec(code, ns)
    except SystemExit as e:  # an early exit: fine for a stdio program (its output is what counts), not for tests
        sys.stdout.flush()
        raise SystemExit(e.code) from None
    sys.stdout.flush()
    os.write(done, nonce)


if __name__ == "__main__":
    main()
