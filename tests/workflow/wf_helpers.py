"""Helpers for the workflow tests: known tasks, the SIMULATED pool over real HTTP, workflows from lists."""

from __future__ import annotations

from sim_support import arithmetic_tasks, with_workers  # noqa: F401  (re-exported for the workflow tests)
from sim_support import serve as _serve

from conductor.pool.spec import PoolSpec
from conductor.sim.faults import FaultConfig
from conductor.sim.server import SimServer
from conductor.workflow.schema import Step, Workflow

TASKS = arithmetic_tasks("wf", "Question {i}: what is {i} * 3?", lambda i: 3 * i, range(1, 9))
QUESTIONS = [t.question for t in TASKS]


def wf(*steps: tuple) -> Workflow:
    """wf((2, "Solve", "none"), (0, "Check", "all"))"""
    return Workflow(steps=tuple(Step(worker=w, subtask=s, access=a) for w, s, a in steps))


def serve(faults: FaultConfig | None = None, extra_latency_s: float = 0.0, pool: PoolSpec | None = None) -> SimServer:
    return _serve(TASKS, faults=faults, extra_latency_s=extra_latency_s, pool=pool)
