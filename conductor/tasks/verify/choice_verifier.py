"""Multiple choice: the chosen letter, read robustly from free text.

Accepts "B", "(B)", "B.", "**B**", "\\boxed{B}", "answer: b", "The answer is (C)", "Option D", and the
text of a choice itself; never the B inside a word ("Because", "Both"). When the text names two different
letters and none is marked as the answer, it counts as no answer rather than a guess.
"""

from __future__ import annotations

import re

from conductor.tasks.schema import Task
from conductor.tasks.verify.extract import extract_answer, last_boxed
from conductor.tasks.verify.verdict import Verdict

LETTERS = "ABCDEFGHIJ"
_CUE = re.compile(
    r"(?:answer|option|choice)\s*(?:is|:|=|-)?\s*(?:option|choice)?\s*[\(\[]?\s*([A-J])\s*[\)\]]?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_PAREN = re.compile(r"[\(\[]\s*([A-J])\s*[\)\]]")
_LEADING = re.compile(r"^([A-J])\s*[\.\):]")
_STANDALONE = re.compile(r"(?<![A-Za-z0-9'])([A-J])(?![A-Za-z0-9'])")


def _cue_ok(text: str, m: re.Match[str]) -> bool:
    """A lower-case letter after a cue counts only at the end of a clause: "answer: b" yes, "answer is a
    bit unclear" no."""
    if m.group(1).isupper():
        return True
    return re.match(r"\s*(?:$|[\.\),;:!\]])", text[m.end() :]) is not None


def _clean(text: str) -> str:
    boxed = last_boxed(text)
    if boxed is not None:
        text = boxed
    text = re.sub(r"\\text(?:bf|it)?\s*\{([^{}]*)\}", r"\1", text)
    return text.replace("*", "").replace("`", "").replace("$", "").strip()


def extract_choice(response: str, n_choices: int = 4, choices: list[str] | None = None) -> str | None:
    """The letter a response picks, upper case, or None. Only letters among the first `n_choices` count."""
    valid = LETTERS[:n_choices]
    span = extract_answer(response)
    text = _clean(span if span is not None else response)
    if not text:
        return None
    bare = text.strip(" .:()[]")
    if len(bare) == 1 and bare.upper() in valid:
        return bare.upper()
    cued = [m.group(1).upper() for m in _CUE.finditer(text) if _cue_ok(text, m)]
    cued = [x for x in cued if x in valid]
    if cued:
        return cued[-1]
    found = [x for x in _PAREN.findall(text) if x in valid]
    if found:
        return found[-1]
    m = _LEADING.match(text)
    if m and m.group(1) in valid:
        return m.group(1)
    if choices:
        norm = text.strip(" .").lower()
        for letter, choice in zip(valid, choices, strict=False):
            if norm == str(choice).strip(" .").lower():
                return letter
    if span is not None:  # inside <answer>, a lone capital letter is the pick; in free prose it is too risky
        alone = {x for x in _STANDALONE.findall(text) if x in valid}
        if len(alone) == 1:
            return alone.pop()
    return None


def verify_choice(task: Task, response: str) -> Verdict:
    choices = task.verifier_data.get("choices") or []
    n = len(choices) or 4
    expected = task.answer.strip().upper()
    got = extract_choice(response, n, choices)
    if got is None:
        return Verdict.wrong(f"no choice letter found (expected {expected})")
    if got == expected:
        return Verdict.right()
    return Verdict.wrong(f"wrong answer: got {got}, expected {expected}")
