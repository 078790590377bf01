"""Helpers for the pool tests: a few known tasks and the SIMULATED pool served over real HTTP."""

from __future__ import annotations

from sim_support import arithmetic_tasks, with_workers
from sim_support import serve as _serve

from conductor.sim.faults import FaultConfig
from conductor.sim.server import SimServer
from conductor.workflow.worker_prompt import worker_messages

TASKS = arithmetic_tasks("t", "What is {i} + {i}?", lambda i: 2 * i, range(1, 6))
fast_pool = with_workers  # every worker changed the same way, e.g. a short timeout


def worker_messages_for(i: int, subtask: str = "Solve the problem.") -> list[dict[str, str]]:
    return worker_messages(TASKS[i].question, subtask, [])


def serve(faults: FaultConfig | None = None, extra_latency_s: float = 0.0) -> SimServer:
    return _serve(TASKS, faults=faults, extra_latency_s=extra_latency_s)
