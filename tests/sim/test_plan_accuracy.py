"""Scoring the Conductor's stored plans by the simulated pool's model: the evaluation's low-noise figure."""

from __future__ import annotations

import json

import pytest
from simkit import MATH

from conductor.evaluate.metrics import expected_plan_accuracy
from conductor.pool.spec import load_pool
from conductor.sim.oracle import expected_accuracy, level_of, oracle, task_level
from conductor.store.schema import RolloutRow
from conductor.workflow.schema import Step, Workflow


def _row(domain: str, workflow: Workflow | None, n: int) -> RolloutRow:
    return RolloutRow(
        run_id="r",
        iteration=1,
        phase="eval",
        rollout_id=f"r-{n}",
        task_id=f"t{n}",
        source="s",
        domain=domain,
        group_id=f"g{n}",
        sample=0,
        policy="conductor",
        reward=0.0,
        workflow=None if workflow is None else json.dumps(workflow.to_lists()),
        parse_error="length_mismatch" if workflow is None else None,
        n_steps=0 if workflow is None else len(workflow.steps),
    )


def test_plans_are_scored_as_the_oracle_scores_them_and_unparsed_plans_score_zero():
    """Each plan at its own task's difficulty: from the task's metadata when given, else from its id."""
    pool = load_pool(None)
    hard = MATH.model_copy(update={"id": "t0", "difficulty": 0.99})  # the hardest level
    level = task_level(pool, hard)
    assert level == pool.sim_model.levels - 1
    best_math = oracle(pool, "math", 3, level).workflow
    check = Workflow(steps=(Step(worker=1, subtask="Solve it."), Step(worker=3, subtask="Check step 0.", access=(0,))))
    rows = [_row("math", best_math, 0), _row("code", check, 1), _row("science", None, 2)]
    got = expected_plan_accuracy(pool, rows, [hard])
    code_level = level_of(pool, "t1", None)
    want = (oracle(pool, "math", 3, level).accuracy + expected_accuracy(pool, "code", check, code_level) + 0.0) / 3
    assert got == pytest.approx(want)
    assert 0.0 < got < oracle(pool, "math", 3).accuracy


def test_real_pools_have_no_expected_accuracy():
    pool = load_pool(None).model_copy(update={"simulated": False})
    assert expected_plan_accuracy(pool, [_row("math", None, 0)]) is None
