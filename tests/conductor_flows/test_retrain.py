"""Retraining continues: a retrain from a checkpoint, the run it made extended by one iteration, then a second
retrain from `latest:<name>` that starts from the first's newest checkpoint with a new seed and new tasks.
All as Prefect flows (the deployments' flows) on the SIMULATED pool. The policy is the session's bare tiny model
(tests/conftest.py): what is checked is where each run starts and what it trains on, not how well it learns."""

from __future__ import annotations

import pytest

from conductor.config import Paths
from conductor.iteration.manifest import read_manifest
from conductor.store.rollouts import read_rollouts
from conductor_flows.parameters import as_parameters

pytestmark = pytest.mark.slow

TINY_RUN = {
    "name": "nightly",
    "rollout": {"tasks_per_iteration": 2, "group_size": 2},
    "eval": {"tasks": 2, "baselines": False},
    "policy": {"max_new_tokens": 40},
    "tiny": {"question_chars": 120},
    "sources": ["mmlu"],
}


def _train_tasks(paths: Paths, run_id: str) -> set[str]:
    return set(read_rollouts(paths.rollouts, run_id, phase="train").column("task_id").to_pylist())


def test_retrain_extend_and_retrain_again_continue_the_lineage(home, tiny_dir):
    from conductor_flows.campaign import campaign_flow
    from conductor_flows.retrain import retrain_flow

    paths = Paths(home=home)
    first = retrain_flow(start=str(tiny_dir), iterations=1, config=as_parameters(TINY_RUN))
    assert first["generation"] == 1 and first["start_checkpoint"] == str(tiny_dir)
    r1 = first["run_id"]

    # a finished run extended by one more iteration: only `iterations` changes, the rest is the stored config
    extended = campaign_flow(config=as_parameters({"iterations": 2}), run_id=r1)
    assert [it["iteration"] for it in extended["iterations"]] == [1, 2]
    assert sorted(read_manifest(paths, r1)["iterations"]) == ["1", "2"]
    again = campaign_flow(config=as_parameters({"iterations": 2}), run_id=r1)  # nothing left: no new iteration
    assert len(again["iterations"]) == 2

    second = retrain_flow(start="latest:nightly", iterations=1)
    r2 = second["run_id"]
    assert second["start_run_id"] == r1 and second["start_checkpoint"].endswith(f"{r1}/iter-2")
    assert second["generation"] == 2 and second["seed"] != first["seed"]
    m2 = read_manifest(paths, r2)
    assert m2["continues"]["run_id"] == r1 and m2["config"]["rollout"]["avoid_tasks_of"] == [r1]
    assert m2["config"]["eval"]["seed"] == read_manifest(paths, r1)["config"]["eval"]["seed"]  # same held-out set
    assert not (_train_tasks(paths, r2) & _train_tasks(paths, r1)), "the second retrain trained on used tasks"
    assert second["start_accuracy"] == extended["iterations"][-1]["eval"]["conductor"]
    assert isinstance(second["improved"], bool)
