"""BigCodeBench (bigcode/bigcodebench; Apache-2.0): 1,140 practical Python tasks using common libraries,
each with a unittest `TestCases` class. Needs the hub. Evaluation only.

Splits are release versions (default v0.1.4). Rows: task_id, complete_prompt, instruct_prompt,
canonical_solution, code_prompt, test, entry_point, libs. The question is the instruct prompt; the reference
is complete_prompt + canonical_solution. Many tasks need third-party libraries (pandas, numpy, matplotlib,
...): a task whose library is missing here fails its tests, so check `libs` before evaluating on it.
"""

from __future__ import annotations

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import CODE_INSTRUCTIONS
from conductor.tasks.sources._hub import load_rows

NAME = "bigcodebench"
LOADER_VERSION = "1"
PACKAGE = "datasets"
HUB_ID = "bigcode/bigcodebench"


def load(path_or_id: str = HUB_ID, split: str = "v0.1.4", seed: int = 0, cache_dir: str | None = None) -> list[Task]:
    tasks = []
    for row in load_rows(path_or_id, split, cache_dir=cache_dir):
        tid = f"{NAME}/{str(row['task_id']).replace('/', '-')}"
        tasks.append(
            Task(
                id=tid,
                source=NAME,
                domain="code",
                question=f"{str(row['instruct_prompt']).strip()}\n\n{CODE_INSTRUCTIONS}",
                answer=row["complete_prompt"] + row["canonical_solution"],
                verifier="code",
                verifier_data={
                    "style": "unittest",
                    "test": row["test"],
                    "entry_point": row.get("entry_point", "task_func"),
                    "libs": str(row.get("libs", "")),
                    "timeout_s": 20.0,
                    "memory_mb": 4096,
                },
                split="test",
                real=True,
            )
        )
    return tasks
