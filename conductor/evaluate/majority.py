"""The vote of `vote` and `consensus:<id>`: which of several answers is "the most common".

Each answer is reduced to a key before counting:
  - code tasks: the extracted program (conductor.tasks.verify.extract_code) with blank lines and trailing
    spaces dropped; two programs count as the same answer only when they are the same text. Programs that
    behave alike but read differently are different votes (running them all to group by behaviour would cost
    a sandbox run per answer; the paper's consensus is reported on MMLU, a choice task);
  - choice tasks: the letter picked (extract_choice), so "B" and "(B) Jupiter" agree;
  - math and the rest: the extracted answer (extract_answer), whitespace collapsed, lower-cased.
An answer with nothing extractable does not vote. Ties go to the answer given first (the lowest step, i.e.
worker order for `vote`, sample order for `consensus`), so the rule is deterministic. If no answer yields a
key, the first non-empty answer stands (and will most likely be judged wrong).
"""

from __future__ import annotations

from conductor.tasks.schema import Task
from conductor.tasks.verify import extract_answer, extract_choice, extract_code


def answer_key(task: Task, text: str) -> str | None:
    """What two answers must share to count as the same vote; None when nothing can be extracted."""
    if not text or not text.strip():
        return None
    if task.verifier == "code":
        code = extract_code(text)
        if code is None:
            return None
        return "\n".join(line.rstrip() for line in code.splitlines() if line.strip()) or None
    if task.verifier == "choice":
        choices = task.verifier_data.get("choices") or []
        letter = extract_choice(text, len(choices) or 4, choices)
        return letter.upper() if letter else None
    ans = extract_answer(text)
    return " ".join(ans.split()).lower() if ans else None


def majority_index(task: Task, answers: list[str]) -> int | None:
    """The position of the winning answer (its first occurrence); None when every answer is empty."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, text in enumerate(answers):
        key = answer_key(task, text)
        if key is None:
            continue
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, i)
    if counts:
        best = max(counts, key=lambda k: (counts[k], -first[k]))
        return first[best]
    return next((i for i, t in enumerate(answers) if t.strip()), None)
