"""Rollouts with every field away from its default, for tests that must see a lost field."""

from __future__ import annotations

from datetime import UTC, datetime

from conductor.store.schema import RolloutRow
from conductor.workflow.result import StepResult


def full_step(i: int) -> StepResult:
    """A step with every field away from its default, so a field lost on the way shows."""
    return StepResult(
        index=i,
        worker=3 + i,
        subtask=f"Check step {i}.",
        access=(0,) if i else "all",
        visible=[0] if i else [],
        messages=[{"role": "system", "content": "s"}, {"role": "user", "content": f"question {i}"}],
        output=f"<answer>{i}</answer>",
        prompt_tokens=10 + i,
        completion_tokens=5,
        cost_usd=0.25,
        latency_s=0.5,
        started_at=1.5,
        ended_at=2.0,
        attempts=2,
        cached=True,
        error="timeout",
        retries=["429 Too Many Requests"],
        seed=77,
        nested={"question": "inner", "rounds": [{"execution": {"steps": [{"index": 0}]}}], "cost_usd": 0.1},
    )


def full_row() -> RolloutRow:
    return RolloutRow(
        run_id="r",
        iteration=2,
        phase="eval",
        rollout_id="x1",
        task_id="t1",
        source="synthetic-arith",
        domain="math",
        group_id="2:t1",
        sample=3,
        round=1,
        policy="conductor",
        pool=[0, 2, 5],
        pool_simulated=False,
        prompt="p",
        completion="c",
        workflow='{"model_id": [3, 4]}',
        parse_error="no_lists: none",
        n_steps=2,
        steps=[full_step(0), full_step(1)],
        answer="1",
        correct=True,
        verdict="ok",
        reward=0.5,
        first_round_reward=1.0,
        infra_fault="step 1: timeout",
        prompt_tokens=30,
        completion_tokens=12,
        cost_usd=0.5,
        latency_s=1.25,
        completion_ids=[4, 5],
        logprobs=[-0.5, -0.25],
        repeat=2,
        checkpoint="/ckpt/iter-3",
        conductor_prompt_tokens=120,
        conductor_completion_tokens=30,
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
