"""How questions are worded: output instructions, lettered choices, and the seeded shuffle of choices.

Every question carries its own output instructions (work in <idea> tags, final answer in <answer> tags),
as the paper's tasks do, so any worker and every verifier rely on the same convention.
"""

from __future__ import annotations

import re

from conductor.seeds import source_rng
from conductor.tasks.verify.choice_verifier import LETTERS

MATH_INSTRUCTIONS = (
    "Think step by step inside <idea></idea> tags, then give only the final answer, as a number or a "
    "simplified exact expression, inside <answer></answer> tags, e.g. <answer>\\frac{3}{4}</answer>."
)
CHOICE_INSTRUCTIONS = (
    "Think step by step inside <idea></idea> tags, then give only the letter of the correct choice "
    "inside <answer></answer> tags, e.g. <answer>B</answer>."
)
CODE_INSTRUCTIONS = (
    "Think step by step inside <idea></idea> tags, then give the complete Python code inside "
    "<answer></answer> tags as one ```python block: the full function definition (signature included) "
    "with any imports and helper functions it needs, and no example usage or tests."
)
STDIO_INSTRUCTIONS = (
    "Think step by step inside <idea></idea> tags, then give a complete Python 3 program inside "
    "<answer></answer> tags as one ```python block. The program reads the input from standard input and "
    "writes the answer to standard output."
)


def math_question(problem: str) -> str:
    return f"{problem.strip()}\n\n{MATH_INSTRUCTIONS}"


def choice_question(stem: str, choices: list[str]) -> str:
    lines = [stem.strip(), ""]
    lines += [f"({letter}) {str(choice).strip()}" for letter, choice in zip(LETTERS, choices, strict=False)]
    return "\n".join(lines) + f"\n\n{CHOICE_INSTRUCTIONS}"


_ORDER_WORDS = re.compile(r"\b(?:above|below|all of these|none of these|both|neither)\b", re.IGNORECASE)
_LETTER_REF = re.compile(r"(?<![A-Za-z])[A-J](?![A-Za-z'])")


def order_dependent(choices: list[str]) -> bool:
    """Choices that point at other choices ("Both A and C", "All of the above") lose their meaning when
    moved, so such items keep the original order."""
    return any(_ORDER_WORDS.search(str(c)) or _LETTER_REF.search(str(c)) for c in choices)


def shuffled_choices(choices: list[str], correct: int, seed: int, key: str) -> tuple[list[str], str]:
    """Choices in a seeded order, and the letter the correct one lands on.

    The order depends only on (seed, key), not on other items, so one item's order is stable however the
    source is filtered. Shuffling keeps a policy from learning "the answer is usually D". Items whose
    choices refer to each other keep their order (see `order_dependent`).
    """
    order = list(range(len(choices)))
    if not order_dependent(choices):
        source_rng(seed, key).shuffle(order)
    return [choices[i] for i in order], LETTERS[order.index(correct)]
