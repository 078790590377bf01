"""MMLU from the hub (cais/mmlu, config 'all'; MIT): the same questions as the offline `mmlu` source, for
users with network access who want another split (dev, validation) or every subject.

Rows: question, subject (snake_case), choices (4 strings), answer (index 0-3).
"""

from __future__ import annotations

from conductor.tasks.schema import Task
from conductor.tasks.sources._hub import load_rows
from conductor.tasks.sources.mmlu import STEM_SUBJECTS, mmlu_task

NAME = "mmlu-hub"
LOADER_VERSION = "1"
PACKAGE = "datasets"
HUB_ID = "cais/mmlu"


def load(
    path_or_id: str = HUB_ID,
    split: str = "test",
    seed: int = 0,
    config: str = "all",
    stem_only: bool = True,
    cache_dir: str | None = None,
) -> list[Task]:
    tasks: dict[str, Task] = {}
    for row in load_rows(path_or_id, split, name=config, cache_dir=cache_dir):
        subject = str(row["subject"]).replace("_", " ")
        if stem_only and subject not in STEM_SUBJECTS:
            continue
        task = mmlu_task(NAME, subject, row["question"], [str(c) for c in row["choices"]], int(row["answer"]), seed)
        tasks.setdefault(task.id, task)
    return list(tasks.values())
