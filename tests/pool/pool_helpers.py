"""Helpers for the pool tests: a few known tasks and the SIMULATED pool served over real HTTP."""

from __future__ import annotations

from conductor.pool.spec import PoolSpec, load_pool
from conductor.sim.faults import FaultConfig
from conductor.sim.server import SimServer
from conductor.tasks.schema import Task
from conductor.workflow.worker_prompt import worker_messages

TASKS = [
    Task(
        id=f"t/{i}",
        source="test",
        domain="math",
        question=f"What is {i} + {i}? Work in <idea></idea> and answer in <answer></answer>.",
        answer=str(2 * i),
        verifier="math",
    )
    for i in range(1, 6)
]


def worker_messages_for(i: int, subtask: str = "Solve the problem.") -> list[dict[str, str]]:
    return worker_messages(TASKS[i].question, subtask, [])


def fast_pool(pool: PoolSpec, **worker_updates) -> PoolSpec:
    """The pool with every worker changed (e.g. a short timeout) for fault tests."""
    return pool.model_copy(update={"workers": tuple(w.model_copy(update=worker_updates) for w in pool.workers)})


def serve(faults: FaultConfig | None = None, extra_latency_s: float = 0.0) -> SimServer:
    return SimServer(load_pool(), TASKS, seed=0, faults=faults, extra_latency_s=extra_latency_s)
