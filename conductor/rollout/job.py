"""One plan to run for one task: the unit a batch of rollouts is made of (conductor.rollout.scoring)."""

from __future__ import annotations

from dataclasses import dataclass, field

from conductor.tasks.schema import Task
from conductor.workflow.rounds import EarlierRound
from conductor.workflow.schema import Workflow, WorkflowError


@dataclass
class RolloutJob:
    """One workflow to run for one task: written by the Conductor (with its text and logprobs) or a baseline.

    A later round (the recursion fine-tune, conductor.iteration.recursion) carries the `earlier` round it
    follows: its "all" steps also see that round's steps, and three empty lists accept its answer."""

    task: Task
    pool_ids: tuple[int, ...]
    policy: str
    group_id: str
    sample: int
    workflow: Workflow | None
    parse_error: WorkflowError | None = None
    prompt: str = ""
    completion: str = ""
    completion_ids: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    round: int = 0
    earlier: EarlierRound | None = None
