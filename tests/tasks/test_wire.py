"""The wire between a sandboxed candidate and the trusted side: plain values round-trip exactly, and nothing
else gets through (no object with its own comparison, no oversized or malformed message)."""

from __future__ import annotations

import math
import os
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conductor.tasks.verify._sandbox_boot import _NotPlain, to_json
from conductor.tasks.verify._wire import MAX_FRAME, Channel, Gone, decode, receive_by

_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
    | st.complex_numbers(allow_nan=False) | st.integers(-9, 9).map(lambda k: k * 2**13_001 + k)
)  # fmt: skip
_keys = _scalars.filter(lambda v: not (isinstance(v, float) and math.isnan(v)))  # nan != nan: no set member
_hashables = st.recursive(_keys, lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3), max_leaves=4)
_values = st.recursive(
    _hashables | st.floats(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_hashables, inner, max_size=3) | st.sets(_hashables),
    max_leaves=12,
)


def _same(a: Any, b: Any) -> bool:
    """Equality that also holds for nan and checks exact types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        pairs = zip(a.items(), b.items(), strict=True)
        return len(a) == len(b) and all(_same(k, j) and _same(v, w) for (k, v), (j, w) in pairs)
    return a == b or repr(a) == repr(b)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_plain_values_round_trip_exactly(value: object) -> None:
    assert _same(decode(to_json(value).encode("utf-8", "surrogatepass")), value)


def test_lone_surrogates_nan_and_infinities() -> None:
    for value in ["\ud800x", float("nan"), float("inf"), -float("inf"), -0.0, 10**5000, {(1, 2): {3}}]:
        assert _same(decode(to_json(value).encode("utf-8", "surrogatepass")), value)


class _Anything:
    def __eq__(self, other: object) -> bool:
        return True


def test_what_is_not_plain_is_refused_by_the_candidate_side() -> None:
    values: list[Any] = [_Anything(), iter(()), print, object(), [1, [_Anything()]]]
    for value in values:
        with pytest.raises(_NotPlain):
            to_json(value)
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(_NotPlain):
        to_json(cycle)


class _Int(int):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = int.__hash__


def test_subclasses_arrive_as_the_builtin_value() -> None:
    got = decode(to_json([_Int(3)]).encode())
    assert type(got[0]) is int and got == [3] and got[0] != 4


@pytest.mark.parametrize(
    "text",
    [
        '{"__class__": "os.system"}', '{"t": [1], "s": [2]}', '{"s": [[1]]}', '{"d": [[[1], 2]]}', '{"x": "zz"}',
        "[" * 5000 + "]" * 5000, "9" * 5000, '{"b": "not base64!"}', "NaN garbage", '{"c": ["a", 1]}',
    ],
)  # fmt: skip
def test_the_trusted_decoder_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        decode(text.encode())
    with pytest.raises(ValueError):
        decode(b"\xff\xfe")


def test_frames_are_bounded_and_waited_for_with_a_deadline() -> None:
    r, w = os.pipe()
    try:
        os.write(w, (MAX_FRAME + 1).to_bytes(4, "big"))
        with pytest.raises(Gone) as too_big:
            receive_by(r, time.monotonic() + 1)
        assert too_big.value.kind == "protocol"
        start = time.monotonic()
        with pytest.raises(Gone) as late:
            receive_by(r, time.monotonic() + 0.2)
        assert late.value.kind == "timeout" and time.monotonic() - start < 1
        os.close(w)
        w = -1
        with pytest.raises(Gone) as ended:
            receive_by(r, time.monotonic() + 1)
        assert ended.value.kind == "ended"
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_a_message_outside_the_protocol_is_refused() -> None:
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    channel = Channel(to_w, from_r)
    try:
        for text in ('["ready", 1]', '{"d": []}', "[]", '["ok"]'):
            data = text.encode()
            os.write(from_w, len(data).to_bytes(4, "big") + data)
        with pytest.raises(Gone):
            channel.ready(time.monotonic() + 1)
        for _ in range(3):
            with pytest.raises(Gone):
                channel.call(["call", "f", [], {}], time.monotonic() + 1)
    finally:
        channel.close()
        for fd in (to_r, from_w):
            os.close(fd)
