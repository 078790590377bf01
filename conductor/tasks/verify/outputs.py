"""Comparing a program's output with the expected one, the way judges do: whitespace-insensitive per line,
and numbers equal within a small tolerance (LiveCodeBench compares floats the same way)."""

from __future__ import annotations

import math
from typing import Any

REL_TOL = 1e-6
ABS_TOL = 1e-6


def _num_equal(a: str, b: str) -> bool:
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) or math.isnan(y):
        return False
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def stdout_matches(got: str, expected: str) -> bool:
    """Lines compared after stripping; trailing blank lines ignored; tokens equal or numerically close."""
    g = [ln.strip() for ln in got.strip().splitlines()]
    e = [ln.strip() for ln in expected.strip().splitlines()]
    if g == e:
        return True
    if len(g) != len(e):
        return False
    for gl, el in zip(g, e, strict=False):
        gt, et = gl.split(), el.split()
        if len(gt) != len(et):
            return False
        if any(a != b and not _num_equal(a, b) for a, b in zip(gt, et, strict=False)):
            return False
    return True


def values_equal(got: Any, expected: Any) -> bool:
    """Structural equality for JSON-like values, floats within tolerance, tuples equal to lists."""
    if isinstance(got, bool) or isinstance(expected, bool):
        return got == expected
    if isinstance(got, (int, float)) and isinstance(expected, (int, float)):
        return math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        return len(got) == len(expected) and all(values_equal(a, b) for a, b in zip(got, expected, strict=False))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(values_equal(got[k], expected[k]) for k in got)
    return bool(got == expected)


def preview(text: str, limit: int = 40) -> str:
    """A short, one-line excerpt for reasons."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
