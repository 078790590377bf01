"""AIME 2025 (math-ai/aime25; the 30 problems of AIME 2025 I and II): needs the hub. Evaluation only.

Rows: problem, answer (an integer 0-999), id. AIME problems are MAA competition material; the hub copy is a
community transcription.
"""

from __future__ import annotations

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import math_question
from conductor.tasks.sources._hub import load_rows

NAME = "aime25"
LOADER_VERSION = "1"
PACKAGE = "datasets"
HUB_ID = "math-ai/aime25"


def load(path_or_id: str = HUB_ID, split: str = "test", seed: int = 0, cache_dir: str | None = None) -> list[Task]:
    tasks = []
    for i, row in enumerate(load_rows(path_or_id, split, cache_dir=cache_dir)):
        key = row.get("id", row.get("problem_idx", i))
        tasks.append(
            Task(
                id=f"{NAME}/{key}",
                source=NAME,
                domain="math",
                question=math_question(row.get("problem") or row["question"]),
                answer=str(row["answer"]).strip(),
                verifier="math",
                difficulty=None,
                split="test",
                real=True,
            )
        )
    return tasks
