"""reflect:<id>: the worker answers, then revises its own answer up to five times (paper section 4.3).

Each revision is one step with access "all" whose earlier round is every earlier attempt of this worker
(worker_prompt shows them in <previous_round>), so revision k sees attempts 0..k-1. A revision that keeps the
previous answer (the same extracted answer, majority.answer_key) ends the loop: the worker stands by it.
The steps of all attempts are merged into one Execution, so calls, tokens, cost and latency add up.
Revisions of many tasks run concurrently, round by round, through the shared executor and client.
"""

from __future__ import annotations

from conductor.evaluate.majority import answer_key
from conductor.pool.client import PoolClient
from conductor.seeds import repeat_seed, rollout_seed
from conductor.tasks.schema import Task
from conductor.workflow.executor import ExecutionRequest, execute_many
from conductor.workflow.result import Execution, StepResult
from conductor.workflow.schema import Step, Workflow
from conductor.workflow.worker_prompt import SeenStep

MAX_REVISIONS = 5
REVISE = (
    "Your earlier attempts at this problem are shown above. Review them, correct any mistake, and give the "
    "final answer."
)
SOLVE = "Solve the problem and give the final answer."


def _merged(steps: list[StepResult]) -> Execution:
    renumbered = [
        s.model_copy(update={"index": i, "visible": list(range(i)) if i else []}) for i, s in enumerate(steps)
    ]
    failed = next((s for s in renumbered if s.error is not None), None)
    if failed is not None:
        return Execution(
            steps=renumbered,
            answer="",
            ok=False,
            failure=f"step {failed.index} (worker {failed.worker}): {failed.error}",
        )
    return Execution(steps=renumbered, answer=renumbered[-1].output if renumbered else "", ok=True)


async def reflect_executions(
    tasks: list[Task], worker: int, client: PoolClient, seed: int, repeat: int, max_revisions: int = MAX_REVISIONS
) -> list[Execution]:
    """One merged Execution per task: the first attempt and its revisions."""
    base = repeat_seed(seed, repeat)
    group = f"reflect:{worker}"
    attempts: list[list[StepResult]] = [[] for _ in tasks]
    active = list(range(len(tasks)))
    for k in range(max_revisions + 1):
        if not active:
            break
        step = Step(worker=worker, subtask=SOLVE if k == 0 else REVISE, access="none" if k == 0 else "all")
        requests = [
            ExecutionRequest(
                workflow=Workflow(steps=(step,)),
                question=tasks[i].question,
                seed=rollout_seed(base, tasks[i].id, f"{group}:{tasks[i].id}", repeat, k),
                previous_round=[SeenStep(s.worker, s.subtask, s.output) for s in attempts[i]] if k else None,
            )
            for i in active
        ]
        results = await execute_many(requests, client)
        still = []
        for i, ex in zip(active, results, strict=True):
            if not ex.steps:  # not started (budget): record the failure as a step
                attempts[i].append(
                    StepResult(index=k, worker=worker, subtask=step.subtask, access=step.access, error=ex.failure)
                )
                continue
            attempts[i].append(ex.steps[0])
            if not ex.ok:
                continue
            if k > 0 and answer_key(tasks[i], attempts[i][-1].output) == answer_key(tasks[i], attempts[i][-2].output):
                continue  # it stands by its answer
            still.append(i)
        active = still
    return [_merged(a) for a in attempts]
