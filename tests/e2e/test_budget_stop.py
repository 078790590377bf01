"""A run's budget stops new rollouts cleanly, says so, and is remembered across a resume."""

from __future__ import annotations

import pytest

from conductor.config import Paths, load_run_config
from conductor.iteration.campaign import run_campaign
from conductor.iteration.manifest import read_manifest
from conductor.store.db import connect

pytestmark = pytest.mark.slow


def test_budget_in_calls_stops_the_campaign(home, small_overrides, capsys):
    cfg = load_run_config(
        None, [*small_overrides, "iterations=3", "budget_calls=5", "name=budget", "eval.baselines=false"]
    )
    paths = Paths(home=home)
    result = run_campaign(cfg, paths)
    out = capsys.readouterr().out
    assert [it["iteration"] for it in result.iterations] == [1]
    assert "stopping after iteration 1: the run's budget is spent" in out
    con = connect(paths)
    faults = con.execute(
        "select count(*) from rollouts where run_id = ? and phase = 'train' and infra_fault like '%budget%'",
        [result.run_id],
    ).fetchone()[0]
    assert faults > 0, "rollouts the budget refused are recorded, not lost"
    calls = con.execute(
        "select sum(attempts) from steps where run_id = ?",
        [result.run_id],
    ).fetchone()[0]
    assert calls <= 5, calls

    again = run_campaign(cfg, paths, run_id=result.run_id)  # resume: the spent budget is read back from the store
    assert "stopping before iteration 2" in capsys.readouterr().out
    assert sorted(read_manifest(paths, result.run_id)["iterations"]) == ["1"]
    assert [it["iteration"] for it in again.iterations] == [1]
