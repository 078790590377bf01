"""Helpers for the workflow tests: known tasks, the SIMULATED pool over real HTTP, workflows from lists."""

from __future__ import annotations

from conductor.pool.spec import PoolSpec, load_pool
from conductor.sim.faults import FaultConfig
from conductor.sim.server import SimServer
from conductor.tasks.schema import Task
from conductor.workflow.schema import Step, Workflow

TASKS = [
    Task(
        id=f"wf/{i}",
        source="test",
        domain="math",
        question=f"Question {i}: what is {i} * 3? Work in <idea></idea> and answer in <answer></answer>.",
        answer=str(3 * i),
        verifier="math",
    )
    for i in range(1, 9)
]
QUESTIONS = [t.question for t in TASKS]


def wf(*steps: tuple) -> Workflow:
    """wf((2, "Solve", "none"), (0, "Check", "all"))"""
    return Workflow(steps=tuple(Step(worker=w, subtask=s, access=a) for w, s, a in steps))


def serve(faults: FaultConfig | None = None, extra_latency_s: float = 0.0, pool: PoolSpec | None = None) -> SimServer:
    return SimServer(pool or load_pool(), TASKS, seed=0, faults=faults, extra_latency_s=extra_latency_s)


def with_workers(pool: PoolSpec, **updates) -> PoolSpec:
    return pool.model_copy(update={"workers": tuple(w.model_copy(update=updates) for w in pool.workers)})
