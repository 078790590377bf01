"""One rollout row: one workflow written by the Conductor, executed, verified and rewarded.

Nested data (steps, the parsed workflow, the drawn pool) is stored as JSON strings so the Parquet schema is
fixed and DuckDB can unpack it with json functions in the views under sql/.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from pydantic import BaseModel, Field

ROLLOUT_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("iteration", pa.int32()),
        ("phase", pa.string()),  # "train" (feeds the update) or "eval"
        ("rollout_id", pa.string()),
        ("task_id", pa.string()),
        ("source", pa.string()),
        ("domain", pa.string()),
        ("group_id", pa.string()),  # the G samples of one task in one iteration share it
        ("sample", pa.int32()),
        ("round", pa.int32()),  # 0 = first workflow; 1.. = recursion rounds
        ("policy", pa.string()),  # which Conductor wrote it: a checkpoint path, or a baseline name
        ("pool", pa.string()),  # JSON list of worker ids offered in the prompt
        ("pool_simulated", pa.bool_()),
        ("prompt", pa.string()),
        ("completion", pa.string()),
        ("workflow", pa.string()),  # JSON of the three lists, null when it did not parse
        ("parse_error", pa.string()),  # "<code>: <message>", null when it parsed
        ("n_steps", pa.int32()),
        ("steps", pa.string()),  # JSON list of StepResult
        ("answer", pa.string()),
        ("correct", pa.bool_()),
        ("verdict", pa.string()),  # the verifier's short reason
        ("reward", pa.float64()),
        # round 0 of a recursion fine-tune: the undiscounted first-round reward, when `reward` became
        # (1-d)*r_first + d*r_second (conductor.iteration.recursion); null otherwise
        ("first_round_reward", pa.float64()),
        ("infra_fault", pa.string()),  # set when a worker call failed after retries
        ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()),
        ("cost_usd", pa.float64()),
        ("latency_s", pa.float64()),
        ("completion_ids", pa.list_(pa.int32())),
        ("logprobs", pa.list_(pa.float32())),
        ("created_at", pa.timestamp("us", tz="UTC")),
    ]
)


class RolloutRow(BaseModel):
    """A validated rollout before it is written. Field names match ROLLOUT_SCHEMA."""

    run_id: str
    iteration: int
    phase: str = "train"
    rollout_id: str
    task_id: str
    source: str
    domain: str
    group_id: str
    sample: int = 0
    round: int = 0
    policy: str = ""
    pool: str = "[]"
    pool_simulated: bool = True
    prompt: str = ""
    completion: str = ""
    workflow: str | None = None
    parse_error: str | None = None
    n_steps: int = 0
    steps: str = "[]"
    answer: str = ""
    correct: bool = False
    verdict: str = ""
    reward: float = 0.0
    first_round_reward: float | None = None
    infra_fault: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    completion_ids: list[int] = Field(default_factory=list)
    logprobs: list[float] = Field(default_factory=list)
    created_at: Any = None
