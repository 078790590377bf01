"""What a subtask asks a simulated worker to do: review earlier answers, solve, or nothing recognisable.

The simulated pool reads the Conductor's instruction with a keyword rule, so the instruction matters: the
same worker with the same visible answers behaves differently when told to "check the answers above" than
when told to "solve the problem". The rule is deliberately simple and documented (docs/simulator.md) so that
a learned policy can discover it and the oracle can use it exactly.

Order of the rule:
  1. any REVIEW keyword  -> "review"  (verify, check, critique, pick the final answer, ...)
  2. any SOLVE keyword   -> "solve"   (solve, compute, write, implement, ...)
  3. otherwise           -> "unfocused" (no recognisable instruction: empty, gibberish, off-topic chatter);
                            the worker's skill is halved.
Keywords match case-insensitively at the start of a word, so inflections count ("checking", "verified",
"implementation"). "Correctly" contains "correct", so "Solve it correctly" is a review: with nothing visible
a review behaves exactly like a solve, so this only matters when earlier answers are shown.
"""

from __future__ import annotations

import re
from typing import Literal

Role = Literal["solve", "review", "unfocused"]

# Word prefixes (matched at a word start). Multi-word phrases are matched as written.
REVIEW_KEYWORDS: tuple[str, ...] = (
    "verif",  # verify, verification, verified
    "check",
    "review",
    "critiq",
    "critic",
    "correct",
    "refin",
    "improv",
    "compar",
    "aggregat",
    "combin",
    "choos",
    "chose",
    "select",
    "final answer",
    "judg",
    "consolidat",
    "double-check",
    "audit",
    "assess",
    "validat",
    "reconcil",
    "fix",
    "debug",
    "merge",
    "synthes",
    "vote",
)

SOLVE_KEYWORDS: tuple[str, ...] = (
    "solv",
    "answer",
    "comput",
    "calculat",
    "determin",
    "find",
    "writ",
    "wrote",
    "implement",
    "code",
    "program",
    "deriv",
    "prov",  # prove, provide
    "evaluat",
    "work out",
    "figure",
    "explain",
    "analy",
    "reason",
    "plan",
    "outline",
    "think",
    "estimat",
    "simplif",
    "give",
    "return",
    "identif",
    "decide",
    "attempt",
    "tackle",
    "draft",
    "develop",
    "design",
    "build",
    "construct",
    "generat",
    "creat",
    "complet",
    "respond",
    "reply",
    "address",
    "handle",
    "count",
    "list",
    "classif",
    "predict",
    "recall",
    "apply",
    "use",
    "state",
    "express",
    "show",
    "test",
)


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alts})", re.IGNORECASE)


_REVIEW = _pattern(REVIEW_KEYWORDS)
_SOLVE = _pattern(SOLVE_KEYWORDS)


def classify_role(subtask: str | None) -> Role:
    """The role a subtask asks for (see the module docstring for the rule)."""
    text = (subtask or "").strip()
    if _REVIEW.search(text):
        return "review"
    if _SOLVE.search(text):
        return "solve"
    return "unfocused"
