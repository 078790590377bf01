"""One question answered by a trained Conductor: the one path from question to answer and workflow, used by
the server (conductor.serve.app) and `conductor ask` alike.

    served = load_served(paths, "latest")
    answered = await answer(served, question, pool, client, rounds=0, seed=7)
    answered.answer, answered.ok, answered.failure, answered.record (conductor.workflow.rounds.RoundsRecord)

The Conductor plans (the paper's retries: up to 5 samples until one parses, conductor.serve.planner), the
executor runs the plan on the pool, and it may revise it `rounds` times (conductor.workflow.rounds). When no
sample parses, the documented fallback runs: one step in which the fallback worker (the pool's first worker,
unless another is chosen) answers the question on its own; `Answered.fallback` holds it and responses mark it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conductor.config import Paths, RunConfig
from conductor.policy.cache import load_policy
from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.seeds import derive
from conductor.serve.batching import Batcher
from conductor.serve.checkpoint import resolve_checkpoint, served_config
from conductor.serve.planner import ConductorUsage, RequestPlanner
from conductor.serve.progress import PlanEvent, Progress
from conductor.serve.request_client import RequestClient
from conductor.workflow.conductor_prompt import Mode, PromptSettings
from conductor.workflow.executor import execute
from conductor.workflow.result import Execution
from conductor.workflow.rounds import RoundsRecord, run_rounds
from conductor.workflow.schema import Step, Workflow

FALLBACK_SUBTASK = "Solve the problem on your own and give the final answer."


@dataclass(frozen=True)
class Served:
    """A Conductor ready to answer: its checkpoint, how it is prompted, and the batcher its samples go through."""

    checkpoint: str
    config: RunConfig
    settings: PromptSettings
    batcher: Batcher

    def planner(self, seed: int, temperature: float | None = None, progress: Progress | None = None) -> RequestPlanner:
        hook = progress.planned if progress is not None else None
        return RequestPlanner(self.batcher, self.config.policy, seed=seed, temperature=temperature, on_plan=hook)


def load_served(
    paths: Paths,
    checkpoint: str | Path | None = None,
    mode: Mode | None = None,
    config_file: str | Path | None = None,
    overrides: list[str] | None = None,
    batch_window_s: float = 0.0,
    max_batch: int = 1,
) -> Served:
    """The checkpoint (default: the newest of the most recent run; conductor.serve.checkpoint) loaded to
    answer, prompted as it was trained. Raises NotFoundError when there is none, PolicyLoadError when it
    cannot be loaded."""
    chosen = resolve_checkpoint(paths, checkpoint)
    cfg = served_config(paths, chosen, config_file, overrides)
    if mode is not None:
        cfg = cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"prompt_mode": mode})})
    policy = load_policy(chosen, cfg.policy)
    return Served(chosen, cfg, PromptSettings.from_config(cfg), Batcher(policy, batch_window_s, max_batch))


@dataclass
class Answered:
    """What answering one question gave: the rounds, the fallback if it ran, and the Conductor's own usage."""

    question: str
    seed: int
    record: RoundsRecord
    conductor: ConductorUsage
    fallback: Execution | None = None
    fallback_worker: int | None = None
    streamed: str = field(default="")

    @property
    def answer(self) -> str:
        return self.fallback.answer if self.fallback is not None else self.record.answer

    @property
    def failure(self) -> str | None:
        """Why there is no answer (a worker failed: the step and the reason), or None."""
        if self.fallback is not None:
            return None if self.fallback.ok else f"fallback: {self.fallback.failure}"
        if self.record.plan_error is not None:
            return f"the Conductor wrote no valid workflow: {self.record.plan_error}"
        return self.record.failure

    @property
    def ok(self) -> bool:
        return self.failure is None


def fallback_workflow(worker: int) -> Workflow:
    return Workflow(steps=(Step(worker=worker, subtask=FALLBACK_SUBTASK, access="none"),))


async def answer(
    served: Served,
    question: str,
    pool: PoolSpec,
    client: PoolClient | None = None,
    rounds: int = 0,
    seed: int = 0,
    temperature: float | None = None,
    progress: Progress | None = None,
    fallback_worker: int | None = None,
) -> Answered:
    """The Conductor plans for `question`, the pool runs the plan, and it may revise it `rounds` times.

    client: the pool client to share (a server's); None makes one for this question. progress: what sees
    plans, steps and the final step's text as they happen (a streamed response's StreamingProgress)."""
    own = client is None
    shared = client if client is not None else PoolClient(pool)
    progress = progress if progress is not None else Progress(seed, rounds)
    view = RequestClient(shared, progress)
    planner = served.planner(seed, temperature, progress)
    try:
        record = await run_rounds(planner, question, pool, view, served.settings, extra_rounds=rounds, seed=seed)
        answered = Answered(question, seed, record, planner.usage)
        if record.plan_error is not None and not record.rounds[0].workflow:
            worker = fallback_worker if fallback_worker is not None else pool.workers[0].id
            exec_seed = derive("serve-fallback", seed)
            wf = fallback_workflow(worker)
            progress.begin_round(0, exec_seed, 1, last=True)
            progress.emit(PlanEvent(0, wf.render(), wf.to_lists(), 0, fallback=True))
            answered.fallback = await execute(wf, question, view, seed=exec_seed)
            answered.fallback_worker = worker
        answered.streamed = progress.streamed
        return answered
    finally:
        if own:
            await shared.aclose()
