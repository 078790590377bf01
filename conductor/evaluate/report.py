"""The evaluation table a user reads (terminal, MLflow table, Prefect artifact): one line per method and
source, accuracy as mean ± standard error with the repeat count, cost and calls per question."""

from __future__ import annotations

from typing import Any

from conductor.evaluate.metrics import MethodSummary
from conductor.store.table import format_table

COLUMNS = [
    "method",
    "source",
    "accuracy",
    "± s.e.",
    "repeats",
    "faults",
    "calls/q",
    "tokens/q",
    "$/q",
    "conductor tok/q",
    "p50 s",
    "p95 s",
    "parse fail",
    "steps",
]


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def table_rows(summaries: list[MethodSummary]) -> list[tuple]:
    return [
        (
            s.method,
            s.source,
            _pct(s.accuracy),
            _pct(s.stderr),
            s.repeats,
            s.infra_faults,
            f"{s.calls:.2f}",
            f"{s.worker_tokens:.0f}",
            f"{s.total_usd:.5f}",
            f"{s.conductor_tokens:.0f}",
            f"{s.latency_p50:.3f}",
            f"{s.latency_p95:.3f}",
            "-" if s.parse_failure_rate is None else f"{100 * s.parse_failure_rate:.0f}%",
            "-" if s.mean_steps is None else f"{s.mean_steps:.2f}",
        )
        for s in summaries
    ]


def format_report(summaries: list[MethodSummary], overall_only: bool = False) -> str:
    chosen = [s for s in summaries if s.source == "all"] if overall_only else summaries
    return format_table(COLUMNS, table_rows(chosen))


def markdown_table(summaries: list[MethodSummary]) -> str:
    rows = table_rows([s for s in summaries if s.source == "all"])
    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def records(summaries: list[MethodSummary]) -> list[dict[str, Any]]:
    """Plain dicts (a Prefect table artifact, an MLflow table)."""
    return [s.as_dict() for s in summaries]
