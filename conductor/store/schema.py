"""One rollout row: one workflow written by the Conductor, executed, verified and rewarded.

RolloutRow is the schema. ROLLOUT_SCHEMA, the Parquet columns, is derived from it (conductor.store.columns):
one column per field, in field order, its type from the annotation. So a field cannot be stored by one and
unknown to the other, and a row carrying anything else is refused (`extra="forbid"`) rather than cut down.

What is stored how:
  - steps: typed nested columns, one list per StepResult field (conductor.store.steps);
  - pool: the offered worker ids, list<int32>;
  - workflow: the parsed plan's three lists as JSON text, null when it did not parse. It is one small record
    per rollout, always read whole, and its access lists mix "all" with positions; the same plan, step by
    step, is typed in `steps` (worker, subtask, access).
Stores written before steps and pool were typed (both JSON text, LAYOUT 1) stay readable: conductor.store.legacy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from conductor.store.columns import Arrow, Float32, Int32, model_columns, schema_of
from conductor.store.steps import STEPS_TYPE, decode_steps, encode_steps
from conductor.workflow.result import StepResult

LAYOUT = "2"  # 1: steps and pool as JSON text; 2: typed (written into each part's metadata)
LAYOUT_KEY = b"conductor.rollout_layout"

Steps = Annotated[list[StepResult], Arrow(STEPS_TYPE, encode_steps, decode_steps)]


class RolloutRow(BaseModel):
    """A validated rollout: what is written to the store, and read back."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    iteration: Int32
    phase: str = "train"  # "train" (feeds the update) or "eval"
    rollout_id: str
    task_id: str
    source: str
    domain: str
    group_id: str  # the G samples of one task in one iteration share it
    sample: Int32 = 0
    round: Int32 = 0  # 0 = first workflow; 1.. = recursion rounds
    policy: str = ""  # which Conductor wrote it: a checkpoint path, or a baseline name
    pool: list[Int32] = Field(default_factory=list)  # worker ids offered in the prompt
    pool_simulated: bool = True
    prompt: str = ""
    completion: str = ""
    workflow: str | None = None  # JSON of the three lists, null when it did not parse
    parse_error: str | None = None  # "<code>: <message>", null when it parsed
    n_steps: Int32 = 0
    steps: Steps = Field(default_factory=list)
    answer: str = ""
    correct: bool = False
    verdict: str = ""  # the verifier's short reason
    reward: float = 0.0
    # round 0 of a recursion fine-tune: the undiscounted first-round reward, when `reward` became
    # (1-d)*r_first + d*r_second (conductor.iteration.recursion); null otherwise
    first_round_reward: float | None = None
    infra_fault: str | None = None  # set when a worker call failed after retries
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    completion_ids: list[Int32] = Field(default_factory=list)
    logprobs: list[Float32] = Field(default_factory=list)
    # evaluation rows (conductor.evaluate): `policy` holds the method ("conductor", "single:2", "moa", ...);
    # null on training rows and on parts written before these columns existed
    repeat: Int32 | None = None  # which repeat of the evaluation (0-based)
    checkpoint: str | None = None  # the Conductor checkpoint evaluated (also on its baselines' rows)
    conductor_prompt_tokens: int | None = None  # the Conductor's own tokens for this answer (all rounds)
    conductor_completion_tokens: int | None = None
    created_at: datetime | None = None  # set when written, if not before


ROLLOUT_COLUMNS: dict[str, Arrow] = model_columns(RolloutRow)
ROLLOUT_SCHEMA: pa.Schema = schema_of(ROLLOUT_COLUMNS).with_metadata({LAYOUT_KEY: LAYOUT.encode()})
