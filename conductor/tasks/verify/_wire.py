"""What crosses between a sandboxed candidate and the trusted side: plain values in frames, nothing that runs.

Plain values: None, bool, int, float (nan and inf included), complex, str, bytes, list, tuple, dict, set,
frozenset, nested. From the candidate they come as JSON with a one-key tag object for what JSON lacks
({"t": [...]} is a tuple, {"d": [[k, v], ...]} a dict, {"u": base64} a string with quotes, escapes or
non-ASCII text, {"x": hex} an int past ~3,900 digits, ...), written by the boot script without importing
anything. The trusted side decodes them with `json.loads` and a hook that knows these tags and nothing else: no
code runs while decoding, and what comes out has the builtin types' own comparison, never a candidate's
`__eq__`. Requests to the candidate (our data) go as marshal, which it reads for free.

A frame is a 4-byte big-endian length and then that many bytes; the trusted side refuses frames over
MAX_FRAME, waits for each one until a deadline, and treats end of file, garbage and silence alike (Gone).

Stdlib only, so that the judge worker can load it by path as well as the parent by package.
"""

from __future__ import annotations

import base64
import json
import marshal
import os
import select
import time
from typing import Any

MAX_FRAME = 4 * 1024 * 1024


class NotPlain(TypeError):
    """A value that is not plain data (an object, a function, a generator, a cycle, ...)."""


class Gone(Exception):
    """The candidate is no use any more. `kind`: "ended" (its end of the pipe closed: it exited or died),
    "timeout" (no answer before the deadline) or "protocol" (it sent too much, or something that is not a
    well-formed message of plain data)."""

    def __init__(self, kind: str, why: str) -> None:
        super().__init__(why)
        self.kind = kind


# ---- values ----


def _untag(obj: dict[str, Any]) -> Any:
    if len(obj) != 1:
        raise ValueError("not a plain-value tag")
    ((tag, body),) = obj.items()
    if tag == "u" and type(body) is str:
        return base64.b64decode(body, validate=True).decode("utf-8", "surrogatepass")
    if tag == "t" and type(body) is list:
        return tuple(body)
    if tag == "s" and type(body) is list:
        return set(body)
    if tag == "f" and type(body) is list:
        return frozenset(body)
    if tag == "d" and type(body) is list and all(type(p) is list and len(p) == 2 for p in body):
        return {k: v for k, v in body}
    if tag == "b" and type(body) is str:
        return base64.b64decode(body, validate=True)
    if tag == "x" and type(body) is str and body.lstrip("-").isalnum():
        return int(body, 16)
    if tag == "c" and type(body) is list and len(body) == 2 and all(type(x) in (int, float) for x in body):
        return complex(body[0], body[1])
    raise ValueError(f"unknown plain-value tag {tag!r}")


def decode(data: bytes) -> Any:
    """The plain value in `data` (the candidate's wire form); ValueError for anything else."""
    try:
        return json.loads(data.decode("utf-8"), object_hook=_untag)
    except (ValueError, TypeError, RecursionError, MemoryError) as e:  # TypeError: an unhashable set item or key
        raise ValueError(f"not plain data: {type(e).__name__}") from None


def encode_request(request: list[Any]) -> bytes:
    """A request to the candidate: marshal, which the candidate reads without importing anything (the data is
    ours, so marshal's lack of defences against crafted input does not matter on that side). NotPlain for an
    argument marshal cannot carry (a function, an object)."""
    try:
        return marshal.dumps(request)
    except ValueError as e:
        raise NotPlain(f"an argument is not plain data ({e})") from None


# ---- frames with a deadline (the trusted side: the candidate may stall, flood or vanish) ----


def _wait(fd: int, event: int, deadline: float) -> None:
    poller = select.poll()
    poller.register(fd, event | select.POLLHUP | select.POLLERR)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Gone("timeout", "no answer in time")
        if poller.poll(remaining * 1000):
            return


def send_by(fd: int, payload: bytes, deadline: float) -> None:
    """Write one frame to a non-blocking `fd` before `deadline`."""
    view = memoryview(len(payload).to_bytes(4, "big") + payload)
    while view:
        _wait(fd, select.POLLOUT, deadline)
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            continue
        except OSError as e:  # EPIPE: the reader is gone
            raise Gone("ended", f"the program closed its end ({e.strerror})") from None


def _read_by(fd: int, n: int, deadline: float) -> bytes:
    chunks, got = [], 0
    while got < n:
        _wait(fd, select.POLLIN, deadline)
        try:
            chunk = os.read(fd, min(n - got, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise Gone("ended", "the program ended")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive_by(fd: int, deadline: float, limit: int = MAX_FRAME) -> bytes:
    """The next frame from a non-blocking `fd` before `deadline`; Gone at end of file, timeout or oversize."""
    n = int.from_bytes(_read_by(fd, 4, deadline), "big")
    if n > limit:
        raise Gone("protocol", f"the program sent a message of {n} bytes (the limit is {limit})")
    return _read_by(fd, n, deadline)


class Reply:
    """One answer: kind "ok" (value: the plain return value), "raise" (value: the message, error: the
    exception's type name, base: it was not an Exception, e.g. SystemExit or a class of the program's own
    derived from BaseException) or "bad" (value: the type of a return value that is not plain data)."""

    __slots__ = ("kind", "value", "error", "base")

    def __init__(self, kind: str, value: Any, error: str = "", base: bool = False) -> None:
        self.kind, self.value, self.error, self.base = kind, value, error, base


class Channel:
    """The trusted side's end of a candidate's request/reply pipes (both made non-blocking here)."""

    def __init__(self, to_candidate: int, from_candidate: int) -> None:
        os.set_blocking(to_candidate, False)
        os.set_blocking(from_candidate, False)
        self.to_candidate, self.from_candidate = to_candidate, from_candidate

    def message(self, deadline: float) -> list[Any]:
        """The candidate's next message: a non-empty list whose first item is a string; Gone otherwise."""
        raw = receive_by(self.from_candidate, deadline)
        try:
            msg = decode(raw)
        except ValueError as e:
            raise Gone("protocol", f"the program sent something that is not plain data ({e})") from None
        if type(msg) is not list or not msg or type(msg[0]) is not str:
            raise Gone("protocol", "the program sent a message outside the protocol")
        return msg

    def ready(self, deadline: float) -> None:
        """Wait for the candidate's "ready" (its program loaded and defines the entry point)."""
        if self.message(deadline) != ["ready"]:
            raise Gone("protocol", "the program sent a message outside the protocol")

    def call(self, request: list[Any], deadline: float) -> Reply:
        """Send one call and read its reply. NotPlain if an argument cannot be sent; Gone as `message`."""
        send_by(self.to_candidate, encode_request(request), deadline)
        msg = self.message(deadline)
        if msg[0] == "ok" and len(msg) == 2:
            return Reply("ok", msg[1])
        if msg[0] == "raise" and len(msg) == 4 and type(msg[1]) is str and type(msg[2]) is str:
            return Reply("raise", msg[2], msg[1], msg[3] is not True)
        if msg[0] == "bad" and len(msg) == 2 and type(msg[1]) is str:
            return Reply("bad", msg[1])
        raise Gone("protocol", "the program sent a message outside the protocol")

    def close(self) -> None:
        for fd in (self.to_candidate, self.from_candidate):
            try:
                os.close(fd)
            except OSError:
                pass
