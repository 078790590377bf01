"""What several test folders share: small arithmetic tasks with known answers and the SIMULATED pool served
over real HTTP on 127.0.0.1. Importable by name because tests/ (holding the root conftest) is on sys.path."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from conductor.pool.spec import PoolSpec, load_pool
from conductor.sim.faults import FaultConfig
from conductor.sim.server import SimServer
from conductor.tasks.schema import Task

TAGS = "Work in <idea></idea> and answer in <answer></answer>."


def arithmetic_tasks(
    prefix: str, question: str, answer: Callable[[int], int], numbers: Iterable[int], source: str = "test"
) -> list[Task]:
    """One math task per number, id `prefix/i`: `question` is formatted with `i`, the answer is `answer(i)`."""
    return [
        Task(
            id=f"{prefix}/{i}",
            source=source,
            domain="math",
            question=f"{question.format(i=i)} {TAGS}",
            answer=str(answer(i)),
            verifier="math",
        )
        for i in numbers
    ]


def with_workers(pool: PoolSpec, **updates) -> PoolSpec:
    """The pool with every worker changed the same way (e.g. a short timeout, for fault tests)."""
    return pool.model_copy(update={"workers": tuple(w.model_copy(update=updates) for w in pool.workers)})


def serve(
    tasks: list[Task], faults: FaultConfig | None = None, extra_latency_s: float = 0.0, pool: PoolSpec | None = None
) -> SimServer:
    """The simulated pool answering `tasks` (seed 0); use it as a context manager."""
    return SimServer(pool or load_pool(), tasks, seed=0, faults=faults, extra_latency_s=extra_latency_s)
