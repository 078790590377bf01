from __future__ import annotations

import pytest

from conductor.tasks.verify import extract_answer, extract_code


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("<idea>2+2</idea><answer>4</answer>", "4"),
        ("<answer> first </answer> then <answer>second</answer>", "first"),
        ("<ANSWER>x = 3</ANSWER>", "x = 3"),
        ("so \\boxed{\\frac{1}{2}} and finally \\boxed{\\frac{3}{4}}", "\\frac{3}{4}"),
        ("nested \\boxed{\\frac{a}{\\sqrt{b}}}", "\\frac{a}{\\sqrt{b}}"),
        ("Thus the answer is 42.", "42"),
        ("The answer is: $3.5$.", "3.5"),
        ("truncated <answer>17", "17"),
        ("<think><answer>1</answer></think><answer>2</answer>", "2"),
    ],
)
def test_extract_answer_forms(response: str, expected: str) -> None:
    assert extract_answer(response) == expected


def test_answer_tag_wins_over_boxed() -> None:
    assert extract_answer("\\boxed{1} <answer>2</answer>") == "2"


@pytest.mark.parametrize("response", ["", "I am not sure.", "no tags here at all"])
def test_no_answer(response: str) -> None:
    assert extract_answer(response) is None


def test_extract_code_prefers_python_block_inside_answer() -> None:
    response = (
        "```python\nprint('outside')\n```\n<answer>Here:\n```text\nnot code\n```\n"
        "```python\ndef f():\n    return 1\n```\n</answer>"
    )
    assert extract_code(response) == "def f():\n    return 1"


def test_extract_code_whole_answer_without_fence() -> None:
    assert extract_code("<answer>def f():\n    return 2</answer>") == "def f():\n    return 2"


def test_extract_code_without_tags() -> None:
    assert extract_code("Sure!\n```python\nx = 1\n```") == "x = 1"
    assert extract_code("def g():\n    return 3\n") == "def g():\n    return 3"
    assert extract_code("I cannot write that program, sorry.") is None
