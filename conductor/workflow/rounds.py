"""Recursion rounds and nested workflows: the Conductor asked again about its own answer (paper section 7).

    record = await run_rounds(planner, question, pool, client, extra_rounds=1)
    record.answer, record.rounds[1].accepted, record.model_dump_json()

Round 0 plans (build_messages) and executes. Each extra round shows the Conductor its previous plan (as its
earlier assistant turn) and the previous answer (cropped), and asks it to improve or verify the answer with
a new workflow, or to accept it with three empty lists. Empty lists stop the loop; so does the round limit
(`extra_rounds`, the test-time knob). In a new round, an "all" step also sees the previous round's steps.

Nesting (our reading of "the Conductor may name itself"): when the offered pool has a `conductor_id` and the
depth limit is not reached, the prompt lists that id; a step given to it becomes a question (its subtask,
which should therefore be self-contained) for a nested `run_rounds` one level deeper, whose "all" steps also
see what the parent step could see. Its answer is the step's output and its record is stored under the
step (`StepResult.nested`); its cost is the step's cost. At the depth limit the id is not offered, and a
plan that names it anyway fails to parse (`unknown_worker`).

Outcomes, and what they mean for the reward elsewhere:
  - `plan_error`: a plan with no answer because it did not parse: round 0, or a nested plan that left its
    parent step without an output. A plan fault: reward 0.
  - `failure`: a worker call failed after its retries, or the budget was spent: an infrastructure fault,
    kept out of the GRPO update by default (TrainConfig.infra_fault_policy).
  - a later round that does not parse, or fails, ends the loop; the previous round's answer stands and the
    round's own record says what happened.
The record is plain pydantic: JSON-serialisable, store-ready.
"""

from __future__ import annotations

import hashlib
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.workflow.conductor_prompt import (
    ANSWER_LIMIT_CHARS,
    Mode,
    Template,
    build_messages,
    build_recursion_messages,
)
from conductor.workflow.executor import Delegated, execute, seen_steps
from conductor.workflow.parse import parse_error_text, parse_workflow
from conductor.workflow.result import Execution
from conductor.workflow.schema import MAX_STEPS, Step, WorkflowError
from conductor.workflow.worker_prompt import SeenStep

StopReason = Literal["accepted", "max_rounds", "parse_error", "failure"]


class Planner(Protocol):
    """Writes a workflow: the policy (conductor.policy), or a scripted planner in tests and baselines.

    `plan` returns the text generated after `prefill` (the assistant turn is prefill + that text)."""

    async def plan(self, messages: list[dict[str, str]], prefill: str) -> str: ...


class RoundRecord(BaseModel):
    """One round: what the Conductor was shown, what it wrote, and what running it gave."""

    round: int
    seed: int
    messages: list[dict[str, str]] = Field(description="The Conductor's prompt (before the prefill).")
    prefill: str
    completion: str = Field(description="What the Conductor wrote after the prefill.")
    workflow: dict | None = Field(default=None, description="The parsed three lists; None if it did not parse.")
    parse_error: str | None = None
    accepted: bool = Field(default=False, description="Three empty lists in a recursion round.")
    execution: Execution | None = None


class RoundsRecord(BaseModel):
    """All rounds of one question at one depth, nested workflows inside their parent steps."""

    question: str
    depth: int = 0
    rounds: list[RoundRecord] = Field(default_factory=list)
    answer: str = ""
    stop_reason: StopReason = "max_rounds"
    plan_error: str | None = None
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.plan_error is None and self.failure is None

    def _executions(self) -> list[Execution]:
        return [r.execution for r in self.rounds if r.execution is not None]

    @property
    def cost_usd(self) -> float:
        """Every worker call, nested ones included (a nested run's cost is its parent step's)."""
        return sum(e.cost_usd for e in self._executions())

    @property
    def prompt_tokens(self) -> int:
        return sum(e.prompt_tokens for e in self._executions())

    @property
    def completion_tokens(self) -> int:
        return sum(e.completion_tokens for e in self._executions())

    @property
    def calls(self) -> int:
        """Worker HTTP requests made, retries and nested workflows included (cache hits count 0)."""
        return sum(s.attempts for e in self._executions() for s in e.steps)


def round_seed(seed: int, round_index: int) -> int:
    digest = hashlib.sha256(f"conductor-round:{seed}:{round_index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _nested_failure(execution: Execution) -> str | None:
    """The plan error of a nested workflow that made this execution fail, if that is why it failed."""
    for s in execution.steps:
        if s.nested and s.error and s.nested.get("plan_error"):
            return f"step {s.index} (nested): {s.nested['plan_error']}"
    return None


async def run_rounds(
    planner: Planner,
    question: str,
    pool: PoolSpec,
    client: PoolClient,
    extra_rounds: int = 0,
    seed: int = 0,
    mode: Mode = "ids",
    template: Template = "paper",
    max_steps: int = MAX_STEPS,
    max_depth: int = 1,
    nested_extra_rounds: int = 0,
    fine_grained: bool = False,
    answer_limit: int = ANSWER_LIMIT_CHARS,
    depth: int = 0,
    context: list[SeenStep] | None = None,
    question_chars: int = 0,
) -> RoundsRecord:
    """Plan and execute, then up to `extra_rounds` recursion rounds; nested workflows up to `max_depth`.

    pool: the workers offered in the prompt (a random sub-pool, say); `client` must be able to call them.
    context: steps the "all" steps of round 0 also see (a nested workflow gets its parent step's view).
    """
    nest = pool.conductor_id is not None and depth < max_depth
    offered = pool if nest else pool.model_copy(update={"conductor_id": None})
    pool_ids = list(offered.ids) + ([offered.conductor_id] if nest else [])
    record = RoundsRecord(question=question, depth=depth)

    async def delegate(step: Step, seen: list[SeenStep], step_seed: int) -> Delegated:
        inner = await run_rounds(
            planner,
            step.subtask,
            pool,
            client,
            extra_rounds=nested_extra_rounds,
            seed=step_seed,
            mode=mode,
            template=template,
            max_steps=max_steps,
            max_depth=max_depth,
            nested_extra_rounds=nested_extra_rounds,
            fine_grained=fine_grained,
            answer_limit=answer_limit,
            depth=depth + 1,
            context=seen,
            question_chars=question_chars,
        )
        error = None if inner.ok else f"nested workflow: {inner.plan_error or inner.failure}"
        return Delegated(
            text=inner.answer,
            error=error,
            prompt_tokens=inner.prompt_tokens,
            completion_tokens=inner.completion_tokens,
            cost_usd=inner.cost_usd,
            calls=inner.calls,
            record=inner.model_dump(mode="json"),
        )

    previous: Execution | None = None
    previous_text = ""
    for r in range(extra_rounds + 1):
        if r == 0:
            messages, prefill = build_messages(question, offered, mode, template, max_steps, question_chars)
        else:
            messages, prefill = build_recursion_messages(
                question,
                offered,
                previous_text,
                record.answer,
                mode,
                template,
                max_steps,
                answer_limit,
                question_chars,
            )
        completion = await planner.plan(messages, prefill)
        rec = RoundRecord(round=r, seed=round_seed(seed, r), messages=messages, prefill=prefill, completion=completion)
        record.rounds.append(rec)
        try:
            workflow = parse_workflow(
                completion, pool_ids=pool_ids, max_steps=max_steps, allow_empty=r > 0, fine_grained=fine_grained
            )
        except WorkflowError as e:
            rec.parse_error = parse_error_text(e)
            record.stop_reason = "parse_error"
            if r == 0:
                record.plan_error = rec.parse_error
            return record
        rec.workflow = workflow.to_lists()
        if workflow.is_accept:
            rec.accepted = True
            record.stop_reason = "accepted"
            return record
        shown = seen_steps(previous) if previous is not None else context
        execution = await execute(
            workflow,
            question,
            client,
            seed=rec.seed,
            previous_round=shown,
            delegate=delegate if nest else None,
            conductor_id=offered.conductor_id if nest else None,
        )
        rec.execution = execution
        if not execution.ok:
            nested_plan = _nested_failure(execution)
            record.stop_reason = "failure"
            if nested_plan and r == 0:
                record.plan_error = nested_plan
            elif not nested_plan:
                record.failure = f"round {r}: {execution.failure}"
            return record
        record.answer = execution.answer
        previous, previous_text = execution, prefill + completion
    record.stop_reason = "max_rounds"
    return record
