"""MATH-500 (HuggingFaceH4/MATH-500; problems from Hendrycks et al.'s MATH, MIT): needs the hub.

Rows: problem, solution, answer, subject, level (1-5), unique_id. The paper trains on MATH500 (300 train /
100 test in its code); here the split comes from the id like every other source.
"""

from __future__ import annotations

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import math_question
from conductor.tasks.sources._hub import load_rows
from conductor.tasks.split import split_for

NAME = "math500"
LOADER_VERSION = "1"
PACKAGE = "datasets"
HUB_ID = "HuggingFaceH4/MATH-500"


def load(path_or_id: str = HUB_ID, split: str = "test", seed: int = 0, cache_dir: str | None = None) -> list[Task]:
    tasks = []
    for row in load_rows(path_or_id, split, cache_dir=cache_dir):
        key = str(row["unique_id"]).removeprefix("test/").removesuffix(".json").replace("/", "-")
        tid = f"{NAME}/{key}"
        level = row.get("level")
        tasks.append(
            Task(
                id=tid,
                source=NAME,
                domain="math",
                question=math_question(row["problem"]),
                answer=str(row["answer"]),
                verifier="math",
                verifier_data={"subject": row.get("subject", "")},
                difficulty=float(level) / 5 if isinstance(level, int | float) else None,
                split=split_for(tid),
                real=True,
            )
        )
    return tasks
