"""Small helpers shared by the sub-commands: reading input, printing errors without tracebacks."""

from __future__ import annotations

import sys
from pathlib import Path


def read_text_arg(path: str | None) -> str:
    """A file path, or '-' / nothing for standard input."""
    if path in (None, "-"):
        return sys.stdin.read()
    return Path(path).read_text(errors="replace")


def fail(message: str, code: int = 1) -> int:
    """Print `error: MESSAGE` as one line on stderr and return the exit status."""
    one_line = " ".join(message.split()) or "failed"
    print(f"error: {one_line}", file=sys.stderr)
    return code
