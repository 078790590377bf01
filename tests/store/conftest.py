"""Rollout rows for store tests."""

from __future__ import annotations

import pytest

from conductor.store.schema import RolloutRow
from conductor.workflow.result import StepResult


def _row(run: str, it: int, phase: str = "train", reward: float = 1.0, n: int = 0) -> RolloutRow:
    return RolloutRow(
        run_id=run,
        iteration=it,
        phase=phase,
        rollout_id=f"{run}-{it}-{phase}-{n}",
        task_id=f"t{n}",
        source="synthetic-arith",
        domain="math",
        group_id=f"{it}:t{n}",
        sample=n,
        reward=reward,
        steps=[
            StepResult(
                index=0,
                worker=1,
                subtask="Solve.",
                access="none",
                output="x",
                prompt_tokens=3,
                completion_tokens=4,
                cost_usd=0.01,
                latency_s=0.1,
            )
        ],
        completion_ids=[1, 2, 3],
        logprobs=[-0.1, -0.2, -0.3],
        n_steps=1,
    )


@pytest.fixture
def make_row():
    return _row
