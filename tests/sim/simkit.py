"""Shared pieces for the simulated-pool tests: a few real-looking tasks, clients, and a tiny executor.

(A uniquely named module rather than helpers in conftest.py, so `from simkit import ...` cannot pick up
another folder's conftest.)

The executor here is deliberately minimal (sequential, no retries): it exists so these tests can check the
simulator against its own oracle over real HTTP without depending on conductor.workflow.executor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from openai import AsyncOpenAI

from conductor.pool.spec import PoolSpec
from conductor.sim.server import SimServer
from conductor.tasks.schema import Task
from conductor.workflow.schema import Workflow
from conductor.workflow.worker_prompt import SeenStep, worker_messages

FORMAT = "Work inside <idea></idea> tags, then give only the final answer inside <answer></answer> tags."

MATH = Task(
    id="test/math-1",
    source="test",
    domain="math",
    question=f"What is the sum of the first 10 positive odd numbers?\n\n{FORMAT}",
    answer="100",
    verifier="math",
)
SCIENCE = Task(
    id="test/science-1",
    source="test",
    domain="science",
    question=(
        "Which gas makes up most of Earth's atmosphere?\nA. Oxygen\nB. Nitrogen\nC. Argon\nD. Carbon dioxide\n\n"
        f"{FORMAT} Answer with the letter only."
    ),
    answer="B",
    verifier="choice",
    verifier_data={"choices": ["Oxygen", "Nitrogen", "Argon", "Carbon dioxide"]},
)
CODE_TESTS = (
    "def check(candidate):\n"
    "    assert candidate([1, 2, 3]) == [1, 3, 6]\n"
    "    assert candidate([]) == []\n"
    "    assert candidate([5, -5]) == [5, 0]\n"
)
CODE = Task(
    id="test/code-1",
    source="test",
    domain="code",
    question=(
        "Complete the following function.\n\n"
        "def running_sum(xs: list[int]) -> list[int]:\n"
        '    """Return the running sums of xs: running_sum([1, 2, 3]) == [1, 3, 6]."""\n\n'
        "Work inside <idea></idea> tags, then give the complete program in a ```python block inside "
        "<answer></answer> tags."
    ),
    answer=(
        "def running_sum(xs: list[int]) -> list[int]:\n"
        "    out, total = [], 0\n"
        "    for x in xs:\n"
        "        total += x\n"
        "        out.append(total)\n"
        "    return out\n"
    ),
    verifier="code",
    verifier_data={"entry_point": "running_sum", "test": CODE_TESTS, "style": "function"},  # the code verifier's keys
)
TASKS = [MATH, SCIENCE, CODE]
BY_DOMAIN = {t.domain: t for t in TASKS}


def client_for(server: SimServer, **kw: float) -> AsyncOpenAI:
    """A plain openai client with its own retries off, so the tests see exactly what the server sends."""
    return AsyncOpenAI(base_url=server.url, api_key="not-needed", max_retries=0, **kw)


def model_of(pool: PoolSpec, worker: int) -> str:
    return pool.worker(worker).model


async def run_workflow(client: AsyncOpenAI, pool: PoolSpec, task: Task, workflow: Workflow, seed: int) -> str:
    """Execute a workflow step by step (the paper's sequential order); returns the last step's reply."""
    outputs: list[SeenStep] = []
    for i, step in enumerate(workflow.steps):
        visible = [outputs[v] for v in step.visible(i)]
        messages = worker_messages(task.question, step.subtask, visible)
        r = await client.chat.completions.create(
            model=model_of(pool, step.worker), messages=messages, seed=seed * 16 + i
        )
        outputs.append(SeenStep(step.worker, step.subtask, r.choices[0].message.content or ""))
    return outputs[-1].response


async def gather_limited(factories: list[Callable[[], object]], limit: int = 32) -> list:
    """Run coroutine factories with at most `limit` in flight (keeps the client's CPU the bottleneck)."""
    sem = asyncio.Semaphore(limit)

    async def one(f: Callable) -> object:
        async with sem:
            return await f()

    return await asyncio.gather(*(one(f) for f in factories))


LEVEL = 4  # the difficulty level of LEVEL_TASKS (of the default pool's 8)
N_LEVEL_TASKS = 240


def level_tasks(base: Task, n: int = N_LEVEL_TASKS, level: int = LEVEL, levels: int = 8) -> list[Task]:
    """`n` copies of a task that differ in id and text and share one difficulty level (the source's metadata
    sets it): each has its own draw of every worker's take, so rates over them are the model's marginals."""
    return [
        base.model_copy(
            update={
                "id": f"{base.id}/level-{i}",
                "question": f"{base.question}\n(Item {i}.)",
                "difficulty": (level + 0.5) / levels,
            }
        )
        for i in range(n)
    ]


SCIENCE_AT_LEVEL = level_tasks(SCIENCE)
