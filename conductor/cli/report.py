"""The summary printed at the end of a campaign: accuracy per iteration beside the baselines, and where to look."""

from __future__ import annotations

import os
from typing import Any

from conductor.config import Paths, RunConfig
from conductor.store.table import format_table


def _pct(v: Any) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def print_report(out: dict[str, Any], cfg: RunConfig) -> None:
    paths = Paths()
    its = out["iterations"]
    singles = sorted({k for it in its for k in it["eval"].get("singles", {})}, key=lambda s: int(s.split(":")[1]))
    cols = [
        "iteration",
        "conductor",
        "plans (exp)",
        *singles,
        "random",
        "oracle",
        "train reward",
        "parse fail",
        "0-var groups",
    ]
    rows = []
    for it in its:
        ev, ro = it["eval"], it["rollouts"]
        rows.append(
            (
                it["iteration"],
                _pct(ev.get("conductor")),
                _pct(ev.get("conductor_expected")),
                *(_pct(ev.get("singles", {}).get(s)) for s in singles),
                _pct(ev.get("random")),
                _pct(ev.get("oracle")),
                f"{ro['mean_reward']:.3f}",
                f"{100 * ro['parse_failure_rate']:.0f}%",
                f"{ro['zero_variance_groups']}/{ro['groups']}",
            )
        )
    n_eval = its[-1]["eval"].get("eval_tasks", 0) if its else 0
    print(
        f"\nrun {out['run_id']}: accuracy (%) on {n_eval} held-out tasks; single:<id> = one worker alone; "
        f"oracle = best expected accuracy of any workflow within the run's {cfg.rollout.max_steps}-step limit "
        "(SIMULATED pool model); plans (exp) = the expected accuracy of the Conductor's own plans under that "
        "model, free of the simulator's coin flips"
    )
    print(format_table(cols, rows))
    print(f"\nfinished in {out['seconds'] / 60:.1f} min\n")
    print(f"rollouts (Parquet):  {paths.rollouts}/run={out['run_id']}/")
    print('  query them:         conductor sql "select iteration, avg(reward) from rollouts group by 1"')
    print("                      conductor sql --query learning_curve")
    print(f"MLflow runs:         mlflow ui --backend-store-uri {paths.mlflow_uri}   (experiment '{cfg.name}')")
    prefect_home = os.environ.get("PREFECT_HOME", str(paths.prefect_home))
    print(
        f"Prefect flow runs:   PREFECT_HOME={prefect_home} prefect server start --host 127.0.0.1   "
        "(UI: http://127.0.0.1:4200)"
    )
    if its:
        print(f"latest checkpoint:   {its[-1]['checkpoint']}")
        print(
            '  try it:             conductor ask --task "$(conductor sql --csv '
            '"select id from tasks where split=\'test\' limit 1" | tail -1)"'
        )
