"""What a flow run says about itself: its name (the project's run id and iteration), the resolved config in
its log, and the headline figures in its log and as a Markdown artifact on its page in the UI."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import yaml
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.runtime import flow_run

from conductor.config import RunConfig


def name_flow_run(name: str) -> None:
    """Name the running flow run (a campaign's run id is known only once the flow has resolved its config)."""
    run_id = flow_run.get_id()
    if run_id:
        with get_client(sync_client=True) as client:
            client.update_flow_run(flow_run_id=UUID(str(run_id)), name=name)


def log_config(cfg: RunConfig) -> None:
    """The resolved config (presets applied) in the flow run's log: what the run really trains with."""
    text = yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False)
    get_run_logger().info("resolved run config:\n%s", text)


def _pct(v: Any) -> str:
    return f"{100 * v:.1f}%" if isinstance(v, int | float) else "-"


def headline(result: dict[str, Any]) -> str:
    """One iteration's figures in one line: the Conductor beside the best single worker and the oracle."""
    ev = result.get("eval") or {}
    roll = result.get("rollouts") or {}
    if ev.get("skipped"):
        figures = "evaluation skipped"
    else:
        figures = (
            f"conductor {_pct(ev.get('conductor'))}, best single {_pct(ev.get('best_single'))} "
            f"({ev.get('best_single_worker') or '-'}), random {_pct(ev.get('random'))}, oracle {_pct(ev.get('oracle'))}"
        )
    reward = roll.get("mean_reward")
    shown = "-" if reward is None else f"{reward:.3f}"
    return f"iteration {result.get('iteration')}: {figures}; mean train reward {shown}"


def report_iterations(run_id: str, iterations: list[dict[str, Any]], title: str) -> str:
    """The headline figures of each iteration in the log and as a Markdown artifact keyed by the run id."""
    logger = get_run_logger()
    for it in iterations:
        logger.info("%s %s", run_id, headline(it))
    rows = ["| iteration | conductor | best single | random | oracle | mean train reward |", "|---" * 6 + "|"]
    for it in iterations:
        ev = it.get("eval") or {}
        reward = (it.get("rollouts") or {}).get("mean_reward")
        rows.append(
            f"| {it.get('iteration')} | {_pct(ev.get('conductor'))} | {_pct(ev.get('best_single'))} | "
            f"{_pct(ev.get('random'))} | {_pct(ev.get('oracle'))} | {'-' if reward is None else f'{reward:.3f}'} |"
        )
    markdown = f"# {title}\n\nrun `{run_id}`\n\n" + "\n".join(rows) + "\n"
    key = re.sub(r"[^a-z0-9-]+", "-", run_id.lower()).strip("-")[:100] or "run"
    create_markdown_artifact(markdown=markdown, key=key, description=f"{title}: {run_id}")
    return markdown
