"""Evaluate a checkpoint as a Prefect flow run: the same call as `conductor eval`, plus artifacts.

    python -m conductor_flows.evaluate --checkpoint latest [--repeats 4] [--methods all] [--promote]

The flow's parameter is the evaluation request (conductor.iteration.evaluation.EvalRequest, a typed form). Its
run gets a table artifact (key `evaluation-table`: one row per method and source) and a markdown artifact
(key `conductor-workflows`: a few of the Conductor's workflows drawn as step graphs). Training iterations'
flow runs get the same two artifacts (`iteration-evaluation`, `iteration-workflows`; conductor_flows.iteration).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

import conductor_flows  # noqa: F401  (Prefect settings before a flow runs)
from conductor.config import Paths
from conductor.evaluate.report import markdown_table
from conductor.iteration.evaluation import EvalRequest, evaluate_checkpoint
from conductor.store.schema import RolloutRow

TABLE_KEY = "evaluation-table"
WORKFLOWS_KEY = "conductor-workflows"


def workflow_graph(row: RolloutRow) -> str:
    """One rollout's plan as a mermaid step graph: who ran each step, what it was told, what it read."""
    lines = ["```mermaid", "graph LR", '  Q(["question"])']
    for s in row.steps:
        label = json.dumps(f"{s.index}: worker {s.worker} - {s.subtask[:60]}")
        lines.append(f"  S{s.index}[{label}]")
        if not s.visible:
            lines.append(f"  Q --> S{s.index}")
        for v in s.visible:
            lines.append(f"  S{v} --> S{s.index}")
    if row.steps:
        lines.append(f'  S{row.steps[-1].index} --> A(["answer: {"right" if row.correct else "wrong"}"])')
    lines.append("```")
    return "\n".join(lines)


def workflows_markdown(rows: list[RolloutRow], title: str, limit: int = 4) -> str:
    mine = [r for r in rows if r.policy.startswith("conductor") and r.steps]
    picked = [r for r in mine if r.correct][: limit // 2] + [r for r in mine if not r.correct][: limit - limit // 2]
    parts = [f"# {title}", ""]
    if not picked:
        parts.append("No workflow of the Conductor ran in this evaluation.")
    for r in picked:
        parts += [f"## {r.task_id} ({r.source}, {r.policy}, repeat {r.repeat or 0})", workflow_graph(r), ""]
    return "\n".join(parts)


def publish(summaries: list[dict[str, Any]], rows: list[RolloutRow], table_key: str, md_key: str, title: str) -> None:
    """The two artifacts, under stable keys (each key's history is one evaluation after another)."""
    create_table_artifact(key=table_key, table=summaries, description=title)
    create_markdown_artifact(key=md_key, markdown=workflows_markdown(rows, title), description=title)


@flow(name="conductor-evaluate", log_prints=True)
def evaluate_flow(request: EvalRequest | None = None) -> dict[str, Any]:
    """Evaluate one checkpoint against the baselines.

    Args:
        request: what to evaluate and how (typed, so the Prefect UI shows a form; a dict is validated into it).
    """
    req = request if isinstance(request, EvalRequest) else EvalRequest.model_validate(request or {})
    outcome = evaluate_checkpoint(req, Paths())
    overall = [s for s in outcome.summaries if s.source == "all"]
    publish(
        [s.as_dict() for s in outcome.summaries],
        outcome.rows,
        TABLE_KEY,
        WORKFLOWS_KEY,
        f"Evaluation {outcome.eval_id} of {outcome.checkpoint} on {outcome.pool_label}",
    )
    print(markdown_table(overall))
    return {**outcome.small(), "table": outcome.table(overall_only=True)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", default="latest")
    ap.add_argument("--tasks", type=int, default=48)
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--methods", default="all")
    ap.add_argument("--promote", action="store_true")
    args = ap.parse_args()
    out = evaluate_flow(
        EvalRequest(
            checkpoint=args.checkpoint,
            tasks=args.tasks,
            repeats=args.repeats,
            methods=[args.methods],
            promote=args.promote,
        )
    )
    print(out["table"])


if __name__ == "__main__":
    main()
