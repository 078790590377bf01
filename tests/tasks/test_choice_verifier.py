from __future__ import annotations

import pytest
from task_helpers import choice_task

from conductor.tasks.verify import extract_choice, verify


@pytest.mark.parametrize(
    ("response", "letter"),
    [
        ("<answer>B</answer>", "B"),
        ("<answer>(B)</answer>", "B"),
        ("<answer>B.</answer>", "B"),
        ("<answer>**B**</answer>", "B"),
        ("<answer>\\boxed{B}</answer>", "B"),
        ("<answer>b</answer>", "B"),
        ("answer: b", "B"),
        ("After checking each option, the answer is (C).", "C"),
        ("I would pick Option D.", "D"),
        ("<answer>B. Paris</answer>", "B"),
        ("<answer>It is C</answer>", "C"),
        ("<answer>Paris</answer>", "B"),  # the text of a choice
        ("\\boxed{\\text{(A)}}", "A"),
    ],
)
def test_letter_from_free_text(response: str, letter: str) -> None:
    assert extract_choice(response, 4, ["London", "Paris", "Rome", "Oslo"]) == letter


@pytest.mark.parametrize(
    "response",
    [
        "Because Both answers look plausible, I cannot decide.",  # B inside words
        "<answer>Absolutely</answer>",
        "The answer is a bit unclear",  # the article 'a' is not choice A
        "<answer>A and B are wrong, so C</answer>",  # several letters, none marked
        "<answer>E</answer>",  # not among four choices
        "",
    ],
)
def test_no_letter(response: str) -> None:
    assert extract_choice(response, 4) is None


def test_verify_choice_right_and_wrong() -> None:
    task = choice_task("B")
    assert verify(task, "<idea>capital of France</idea><answer>B</answer>").correct
    wrong = verify(task, "<answer>C</answer>")
    assert not wrong.correct and wrong.score == 0.0
    assert wrong.reason == "wrong answer: got C, expected B"
    missing = verify(task, "<answer>Berlin</answer>")
    assert not missing.correct and "no choice letter" in missing.reason
