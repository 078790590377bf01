"""GPQA-Diamond (Idavidrein/gpqa, config gpqa_diamond; CC BY 4.0; GATED): 198 graduate-level science
questions with four choices. Evaluation only.

The hub requires accepting the dataset's terms: without access the loader raises HubAccessError saying to
accept them and set HF_TOKEN. Rows (CSV): Question, Correct Answer, Incorrect Answer 1-3, Record ID,
High-level domain, Subdomain. The correct answer's position is shuffled with the seed.
"""

from __future__ import annotations

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import choice_question, shuffled_choices
from conductor.tasks.sources._hub import load_rows

NAME = "gpqa-diamond"
LOADER_VERSION = "1"
PACKAGE = "datasets"
HUB_ID = "Idavidrein/gpqa"
CONFIG = "gpqa_diamond"


def load(path_or_id: str = HUB_ID, split: str = "train", seed: int = 0, cache_dir: str | None = None) -> list[Task]:
    tasks = []
    for row in load_rows(path_or_id, split, name=CONFIG, cache_dir=cache_dir):
        tid = f"{NAME}/{row['Record ID']}"
        options = [row["Correct Answer"]] + [row[f"Incorrect Answer {k}"] for k in (1, 2, 3)]
        options = [str(o).strip() for o in options]
        shown, letter = shuffled_choices(options, 0, seed, tid)
        tasks.append(
            Task(
                id=tid,
                source=NAME,
                domain="science",
                question=choice_question(str(row["Question"]), shown),
                answer=letter,
                verifier="choice",
                verifier_data={"choices": shown, "subject": row.get("Subdomain") or row.get("High-level domain", "")},
                split="test",
                real=True,
            )
        )
    return tasks
