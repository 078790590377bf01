"""The evaluation's figures (matplotlib, headless): accuracy against dollars per question with error bars,
accuracy by source and method, the Conductor's plan shapes. Imported only when an evaluation is logged."""

from __future__ import annotations

from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from conductor.evaluate.metrics import MethodSummary  # noqa: E402
from conductor.store.schema import RolloutRow  # noqa: E402


def accuracy_vs_cost(summaries: list[MethodSummary]) -> Any:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for s in summaries:
        if s.source != "all" or s.accuracy is None:
            continue
        ax.errorbar(s.total_usd, s.accuracy, yerr=s.stderr or 0.0, fmt="o", capsize=3)
        ax.annotate(s.method, (s.total_usd, s.accuracy), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_xlabel("dollars per question (workers + Conductor)")
    ax.set_ylabel("accuracy (mean ± s.e. over repeats)")
    ax.set_title("accuracy against cost, one point per method")
    fig.tight_layout()
    return fig


def accuracy_by_source(summaries: list[MethodSummary]) -> Any:
    parts = [s for s in summaries if s.source != "all" and s.accuracy is not None]
    sources = sorted({s.source for s in parts}) or ["all"]
    methods = list(dict.fromkeys(s.method for s in parts)) or [s.method for s in summaries]
    fig, ax = plt.subplots(figsize=(max(7, len(methods) * 0.5), 4.5))
    width = 0.8 / max(1, len(sources))
    for k, src in enumerate(sources):
        vals = {s.method: s for s in parts if s.source == src}
        xs = [i + k * width for i in range(len(methods))]
        ys = [(vals[m].accuracy or 0.0) if m in vals else 0.0 for m in methods]
        es = [(vals[m].stderr or 0.0) if m in vals else 0.0 for m in methods]
        ax.bar(xs, ys, width, yerr=es, capsize=2, label=src)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(methods))], methods, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=7)
    ax.set_title("accuracy by source and method")
    fig.tight_layout()
    return fig


def plan_shapes(rows: list[RolloutRow]) -> Any:
    """How many steps the Conductor's plans have, and how many of them read earlier outputs."""
    mine = [r for r in rows if r.policy.startswith("conductor") and r.workflow is not None]
    shapes = Counter((r.n_steps, sum(1 for s in r.steps[: r.n_steps] if s.visible)) for r in mine)
    fig, ax = plt.subplots(figsize=(6, 4))
    labels = [f"{n} steps, {k} reading" for n, k in sorted(shapes)]
    ax.bar(range(len(labels)), [shapes[x] for x in sorted(shapes)])
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("plans")
    ax.set_title("the Conductor's plan shapes")
    fig.tight_layout()
    return fig
