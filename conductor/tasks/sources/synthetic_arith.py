"""synthetic-arith: GENERATED arithmetic questions (real=False), for tests and the simulator only.

Small integer expressions with exact answers, checked by the same math verifier as real tasks. Never
mix these into reported benchmark numbers: every task carries real=False and source 'synthetic-arith'.
"""

from __future__ import annotations

from conductor.seeds import source_rng
from conductor.tasks.schema import Task
from conductor.tasks.sources._format import math_question
from conductor.tasks.split import split_for

NAME = "synthetic-arith"
LOADER_VERSION = "1"
PACKAGE = None
DEFAULT_COUNT = 200
_TEMPLATES = (
    ("{a} + {b} * {c}", lambda a, b, c: a + b * c, 0.2),
    ("({a} - {b}) * {c}", lambda a, b, c: (a - b) * c, 0.3),
    ("{a} * {b} - {c}", lambda a, b, c: a * b - c, 0.3),
    ("({a} + {b}) * ({c} - {a})", lambda a, b, c: (a + b) * (c - a), 0.5),
    ("{a}^2 - {b} * {c}", lambda a, b, c: a * a - b * c, 0.5),
)


def load(seed: int = 0, count: int = DEFAULT_COUNT) -> list[Task]:
    rng = source_rng("synthetic-arith", seed)
    tasks = []
    for i in range(count):
        text, fn, difficulty = _TEMPLATES[i % len(_TEMPLATES)]
        a, b, c = rng.randint(2, 60), rng.randint(2, 30), rng.randint(2, 30)
        tid = f"{NAME}/s{seed}-{i:04d}"
        tasks.append(
            Task(
                id=tid,
                source=NAME,
                domain="math",
                question=math_question(f"Compute {text.format(a=a, b=b, c=c)}."),
                answer=str(fn(a, b, c)),
                verifier="math",
                difficulty=difficulty,
                split=split_for(tid),
                real=False,
            )
        )
    return tasks
