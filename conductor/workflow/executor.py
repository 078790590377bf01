"""Run a workflow: each step's worker call, as soon as the steps it can see are done (paper section 4).

    execution = await execute(workflow, question, client, seed=0)

Order. A step with access [] starts at once; an "all" step waits for every earlier step; a fine-grained step
waits for the positions it lists. Each step's request seed is derived from (seed, step index) alone
(conductor.seeds.step_seed), and a step's message depends only on the outputs of the steps it sees, so the
result is identical to running the steps one after another (`execute_sequential`, kept for comparison and
tests). When calls queue for a slot, a step's priority is the length of the chain of steps still waiting on
it (critical path first).

Messages. Built only by conductor.workflow.worker_prompt: the question, the visible steps tagged by worker
id, in order, and the subtask; in a recursion round an "all" step also gets the previous round's steps. The
exact messages are stored in each StepResult, so a user can read what every worker saw.

Failures. A call that still fails after the client's retries marks its step failed with the reason, and the
execution stops: no step starts after that (steps already running finish and are recorded; steps never run
are recorded with "not run"). The execution is `ok=False` with `failure` naming the step and the reason,
and the answer is empty. This is an infrastructure fault, not a bad plan: by default the rollout is kept out
of the GRPO update (TrainConfig.infra_fault_policy="drop"). A budget refusal is recorded the same way.

Nesting. A step whose worker is the pool's `conductor_id` is handed to `delegate` (rounds.py plans and runs a
nested workflow for its subtask); its record is stored under the step (`StepResult.nested`).

`execute_many` runs many workflows concurrently; nothing raises out of the batch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from conductor.pool.budget import BudgetExceeded
from conductor.pool.client import CallResult, PoolClient
from conductor.seeds import step_seed
from conductor.workflow.result import Execution, StepResult
from conductor.workflow.schema import Step, Workflow
from conductor.workflow.worker_prompt import SeenStep, worker_messages

NOT_RUN = "not run: an earlier step failed"


@dataclass(frozen=True)
class Delegated:
    """What a nested workflow gave back to its parent step."""

    text: str
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    record: dict[str, Any] | None = None


Delegate = Callable[[Step, list[SeenStep], int], Awaitable[Delegated]]
PreviousRound = Execution | Sequence[SeenStep] | None


def chain_heights(workflow: Workflow) -> list[int]:
    """For each step, the longest chain of steps from it to the end (itself included): its call's priority,
    so that when calls queue for a slot, the ones that more work waits on go first."""
    n = len(workflow.steps)
    height = [1] * n
    for i in reversed(range(n)):
        for k in range(i + 1, n):
            if i in workflow.steps[k].visible(k):
                height[i] = max(height[i], 1 + height[k])
    return height


def seen_steps(execution: Execution) -> list[SeenStep]:
    """An execution's steps as a later round's workers see them (failed and unrun steps left out)."""
    return [SeenStep(s.worker, s.subtask, s.output) for s in execution.steps if s.error is None]


def _access_json(step: Step) -> Any:
    return step.access if isinstance(step.access, str) else list(step.access)


class _Run:
    """The state of one execution: what each step needs and what it produced."""

    def __init__(
        self,
        workflow: Workflow,
        question: str,
        client: PoolClient,
        seed: int,
        previous_round: PreviousRound,
        delegate: Delegate | None,
        conductor_id: int | None,
    ) -> None:
        self.workflow = workflow
        self.conductor_id = conductor_id if conductor_id is not None else client.pool.conductor_id
        self.question = question
        self.client = client
        self.seed = seed
        prev = seen_steps(previous_round) if isinstance(previous_round, Execution) else previous_round
        self.previous = list(prev) if prev else None
        self.delegate = delegate
        self.results: list[StepResult | None] = [None] * len(workflow.steps)
        self.heights = chain_heights(workflow)
        self.stopped = False

    def _base(self, i: int) -> StepResult:
        step = self.workflow.steps[i]
        return StepResult(
            index=i,
            worker=step.worker,
            subtask=step.subtask,
            access=_access_json(step),
            visible=list(step.visible(i)),
            seed=step_seed(self.seed, i),
        )

    def not_run(self, i: int) -> StepResult:
        now = time.time()
        return self._base(i).model_copy(update={"error": NOT_RUN, "started_at": now, "ended_at": now})

    async def run(self, i: int) -> StepResult:
        """Run step i (its visible steps are done). Records every outcome; raises nothing but cancellation."""
        step = self.workflow.steps[i]
        base = self._base(i)
        seen = [
            SeenStep(self.workflow.steps[j].worker, self.workflow.steps[j].subtask, done.output)
            for j in base.visible
            if (done := self.results[j]) is not None
        ]
        started = time.time()
        try:
            if self.conductor_id is not None and step.worker == self.conductor_id:
                return await self._delegated(base, step, seen)
            try:
                prefill = self.client.pool.worker(step.worker).prefill
            except KeyError:
                return base.model_copy(
                    update={
                        "error": f"worker {step.worker} is not in the pool",
                        "started_at": started,
                        "ended_at": time.time(),
                    }
                )
            previous = self.previous if step.access == "all" else None
            messages = worker_messages(self.question, step.subtask, seen, previous, prefill=prefill)
            r: CallResult = await self.client.call(step.worker, messages, seed=base.seed, priority=self.heights[i])
            return base.model_copy(
                update={
                    "messages": messages,
                    "output": r.text,
                    "prompt_tokens": r.prompt_tokens,
                    "completion_tokens": r.completion_tokens,
                    "cost_usd": r.cost_usd,
                    "latency_s": r.latency_s,
                    "started_at": r.started_at,
                    "ended_at": r.ended_at,
                    "attempts": r.attempts,
                    "cached": r.cached,
                    "error": r.error,
                    "retries": r.retries,
                }
            )
        except BudgetExceeded as e:
            return base.model_copy(update={"error": str(e), "started_at": started, "ended_at": time.time()})
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - a bug in one step is recorded, never raised out of a batch
            return base.model_copy(
                update={
                    "error": f"internal error: {type(e).__name__}: {e}",
                    "started_at": started,
                    "ended_at": time.time(),
                }
            )

    async def _delegated(self, base: StepResult, step: Step, seen: list[SeenStep]) -> StepResult:
        started = time.time()
        if self.delegate is None:
            d = Delegated(text="", error="the Conductor is not available for nested workflows here")
        else:
            d = await self.delegate(step, seen, base.seed or 0)
        return base.model_copy(
            update={
                "output": d.text,
                "prompt_tokens": d.prompt_tokens,
                "completion_tokens": d.completion_tokens,
                "cost_usd": d.cost_usd,
                "started_at": started,
                "ended_at": time.time(),
                "latency_s": time.time() - started,
                "attempts": d.calls,
                "error": d.error,
                "nested": d.record,
            }
        )

    def record(self, i: int, result: StepResult) -> None:
        self.results[i] = result
        if result.error is not None:
            self.stopped = True

    def finish(self) -> Execution:
        steps = [r if r is not None else self.not_run(i) for i, r in enumerate(self.results)]
        failed = next((s for s in steps if s.error is not None and s.error != NOT_RUN), None)
        if failed is not None:
            who = "the Conductor" if failed.worker == self.conductor_id else f"worker {failed.worker}"
            return Execution(steps=steps, answer="", ok=False, failure=f"step {failed.index} ({who}): {failed.error}")
        return Execution(steps=steps, answer=steps[-1].output if steps else "", ok=True)


async def execute(
    workflow: Workflow,
    question: str,
    client: PoolClient,
    seed: int = 0,
    previous_round: PreviousRound = None,
    delegate: Delegate | None = None,
    conductor_id: int | None = None,
) -> Execution:
    """Run the steps as the dependency graph allows; the answer is the last step's output.

    conductor_id: the id whose steps go to `delegate` (default: the client's pool's `conductor_id`)."""
    run = _Run(workflow, question, client, seed, previous_round, delegate, conductor_id)
    done = [asyncio.Event() for _ in workflow.steps]

    async def one(i: int) -> None:
        for j in workflow.steps[i].visible(i):
            await done[j].wait()
        if not run.stopped:
            run.record(i, await run.run(i))
        done[i].set()

    await asyncio.gather(*(one(i) for i in range(len(workflow.steps))))
    return run.finish()


async def execute_sequential(
    workflow: Workflow,
    question: str,
    client: PoolClient,
    seed: int = 0,
    previous_round: PreviousRound = None,
    delegate: Delegate | None = None,
    conductor_id: int | None = None,
) -> Execution:
    """The paper's order: one step after another. Same seeds and messages as `execute`, so the same result."""
    run = _Run(workflow, question, client, seed, previous_round, delegate, conductor_id)
    for i in range(len(workflow.steps)):
        if run.stopped:
            break
        run.record(i, await run.run(i))
    return run.finish()


@dataclass(frozen=True)
class ExecutionRequest:
    """One workflow to execute in a batch: the plan, its question, its seed, and the earlier round it follows."""

    workflow: Workflow
    question: str
    seed: int = 0
    previous_round: PreviousRound = None


async def execute_many(
    requests: Sequence[ExecutionRequest],
    client: PoolClient,
    sequential_steps: bool = False,
    max_in_flight: int | None = None,
) -> list[Execution]:
    """Execute many workflows concurrently (the client's limits bound the calls), in input order.

    Never raises because one workflow failed: each failure is recorded in its Execution. When the client's
    budget is spent, workflows not yet started are returned unstarted with the budget as their failure;
    the caller that starts new rollouts should call `client.budget.check()` and stop.
    """
    runner = execute_sequential if sequential_steps else execute
    gate = asyncio.Semaphore(max_in_flight) if max_in_flight else None

    async def one(req: ExecutionRequest) -> Execution:
        if gate is not None:
            await gate.acquire()
        try:
            if client.budget is not None and client.budget.exhausted:
                try:
                    client.budget.check()
                except BudgetExceeded as e:
                    return Execution(ok=False, failure=f"{e}; workflow not started")
            return await runner(req.workflow, req.question, client, seed=req.seed, previous_round=req.previous_round)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - one workflow's bug must not sink the batch
            return Execution(ok=False, failure=f"internal error: {type(e).__name__}: {e}")
        finally:
            if gate is not None:
                gate.release()

    return list(await asyncio.gather(*(one(r) for r in requests)))
