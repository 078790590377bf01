"""Printing an execution for a person: each step, who ran it, what it saw, what it said, and the answer."""

from __future__ import annotations

from typing import TextIO

from conductor.pool.spec import PoolSpec
from conductor.workflow.result import Execution


def _short(text: str, limit: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + f" … [{len(text) - limit} more characters]"


def print_execution(ex: Execution, pool: PoolSpec, out: TextIO) -> None:
    for s in ex.steps:
        try:
            name = pool.worker(s.worker).name
        except KeyError:
            name = "?"
        seen = ", ".join(str(i) for i in s.visible) or "nothing"
        out.write(f"\n── step {s.index}: worker {s.worker} ({name}), reads {seen}\n")
        out.write(f"   subtask: {s.subtask}\n")
        if s.error:
            out.write(f"   FAILED: {s.error}\n")
        out.write("   " + _short(s.output).replace("\n", "\n   ") + "\n")
        cache = ", cached" if s.cached else ""
        out.write(
            f"   [{s.prompt_tokens} in / {s.completion_tokens} out tokens, ${s.cost_usd:.5f}, {s.latency_s:.2f} s, "
            f"{s.attempts} attempt(s){cache}]\n"
        )
    out.write("\n══ answer" + (" (SIMULATED pool)" if pool.simulated else "") + "\n")
    out.write(_short(ex.answer, 2000) + "\n")
    if not ex.ok:
        out.write(f"workflow failed: {ex.failure}\n")
    out.write(f"total: {ex.prompt_tokens + ex.completion_tokens} tokens, ${ex.cost_usd:.5f}, {ex.latency_s:.2f} s\n")
