"""Rounds: the Conductor asked again about its own answer (paper section 7), and nested workflows.

    record = await run_rounds(planner, question, pool, client, settings, extra_rounds=1)
    record.answer, record.rounds[1].accepted, record.model_dump_json()

The rules of a later round live here once, and both inference (`run_rounds`) and the recursion fine-tune
(conductor.iteration.recursion, which batches the same rounds over many rollouts) follow them:
  - its prompt (`later_round_prompt`): the first prompt, the earlier plan as the Conductor's earlier
    assistant turn (prefill + what it wrote), the earlier answer (cropped), and the instruction to improve or
    verify the answer with a new workflow, or to accept it with three empty lists;
  - parsing (`parse_round`): round 0 must be a plan, a later round may be three empty lists;
  - accepting (`accepted`): three empty lists keep the earlier answer and call no worker;
  - what its "all" steps also see: the earlier round's steps (`EarlierRound.steps`, executor.seen_steps).
Seeds come from conductor.seeds (`round_seed` here; the training batch seeds each rollout on its own).

Each extra round stops the loop when it accepts; so does the round limit (`extra_rounds`, the test-time knob).

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

The Planner is whatever writes the plan text: the policy behind the paper's inference-time retries
(conductor.serve.planner), a scripted planner in tests. A `Plan` carries the token ids and log-probs when the
planner is a model, so a planner that batches concurrent `plan` calls into one generation (a server, or
training) can drive these same rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.seeds import round_seed
from conductor.workflow.conductor_prompt import Messages, PromptSettings
from conductor.workflow.executor import Delegated, execute, seen_steps
from conductor.workflow.parse import parse_error_text, parse_workflow
from conductor.workflow.result import Execution
from conductor.workflow.schema import Step, Workflow, WorkflowError
from conductor.workflow.worker_prompt import SeenStep

StopReason = Literal["accepted", "max_rounds", "parse_error", "failure"]


@dataclass(frozen=True)
class Plan:
    """What a planner wrote after the prefill (the assistant turn is prefill + `text`). A model planner also
    gives the exact prompt it continued and the sampled token ids with their log-probs (what GRPO needs)."""

    text: str
    prompt: str = ""
    token_ids: tuple[int, ...] = ()
    logprobs: tuple[float, ...] = ()


class Planner(Protocol):
    """Writes a workflow for a prompt: the policy (conductor.serve.planner), or a scripted planner in tests."""

    async def plan(self, messages: Messages, prefill: str) -> Plan: ...


@dataclass(frozen=True)
class EarlierRound:
    """What a later round is built from: the earlier plan as the Conductor wrote it (prefill + completion), the
    answer it gave, and its steps as the later round's "all" steps see them (failed and unrun ones left out)."""

    plan: str
    answer: str
    steps: tuple[SeenStep, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, plan: str, execution: Execution) -> EarlierRound:
        return cls(plan=plan, answer=execution.answer, steps=tuple(seen_steps(execution)))


def later_round_prompt(
    settings: PromptSettings, question: str, pool: PoolSpec, earlier: EarlierRound
) -> tuple[Messages, str]:
    """The messages and prefill of the round after `earlier` (the recursion prompt)."""
    return settings.later_round(question, pool, earlier.plan, earlier.answer)


def parse_round(
    text: str, round_index: int, pool_ids: Sequence[int], max_steps: int, fine_grained: bool = False
) -> Workflow:
    """A round's plan: round 0 must name steps; a later round may be three empty lists (accept)."""
    return parse_workflow(
        text, pool_ids=pool_ids, max_steps=max_steps, allow_empty=round_index > 0, fine_grained=fine_grained
    )


def accepted(earlier: EarlierRound) -> Execution:
    """Three empty lists in a later round: the earlier answer stands, and no worker is called."""
    return Execution(steps=[], answer=earlier.answer, ok=True)


class RoundRecord(BaseModel):
    """One round: what the Conductor was shown, what it wrote, and what running it gave."""

    round: int
    seed: int
    messages: list[dict[str, str]] = Field(description="The Conductor's prompt (before the prefill).")
    prefill: str
    completion: str = Field(description="What the Conductor wrote after the prefill.")
    token_ids: list[int] = Field(default_factory=list, description="Its tokens, when the planner is a model.")
    logprobs: list[float] = Field(default_factory=list, description="Their log-probs at the sampling temperature.")
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
    settings: PromptSettings | None = None,
    extra_rounds: int = 0,
    seed: int = 0,
    max_depth: int = 1,
    nested_extra_rounds: int = 0,
    fine_grained: bool = False,
    depth: int = 0,
    context: list[SeenStep] | None = None,
) -> RoundsRecord:
    """Plan and execute, then up to `extra_rounds` recursion rounds; nested workflows up to `max_depth`.

    pool: the workers offered in the prompt (a random sub-pool, say); `client` must be able to call them.
    settings: how the Conductor is prompted (default: the paper's template, ids only, 5 steps).
    context: steps the "all" steps of round 0 also see (a nested workflow gets its parent step's view).
    """
    settings = settings or PromptSettings()
    nest = pool.conductor_id is not None and depth < max_depth
    offered = pool if nest else pool.model_copy(update={"conductor_id": None})
    pool_ids = list(offered.ids) + ([offered.conductor_id] if nest and offered.conductor_id is not None else [])
    record = RoundsRecord(question=question, depth=depth)

    async def delegate(step: Step, seen: list[SeenStep], step_seed: int) -> Delegated:
        inner = await run_rounds(
            planner,
            step.subtask,
            pool,
            client,
            settings,
            extra_rounds=nested_extra_rounds,
            seed=step_seed,
            max_depth=max_depth,
            nested_extra_rounds=nested_extra_rounds,
            fine_grained=fine_grained,
            depth=depth + 1,
            context=seen,
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

    earlier: EarlierRound | None = None
    for r in range(extra_rounds + 1):
        if earlier is None:
            messages, prefill = settings.first_round(question, offered)
        else:
            messages, prefill = later_round_prompt(settings, question, offered, earlier)
        plan = await planner.plan(messages, prefill)
        rec = RoundRecord(
            round=r,
            seed=round_seed(seed, r),
            messages=messages,
            prefill=prefill,
            completion=plan.text,
            token_ids=list(plan.token_ids),
            logprobs=list(plan.logprobs),
        )
        record.rounds.append(rec)
        try:
            workflow = parse_round(plan.text, r, pool_ids, settings.max_steps, fine_grained)
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
        execution = await execute(
            workflow,
            question,
            client,
            seed=rec.seed,
            previous_round=list(earlier.steps) if earlier is not None else context,
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
        earlier = EarlierRound.of(prefill + plan.text, execution)
    record.stop_reason = "max_rounds"
    return record
