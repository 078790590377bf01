"""jee-math: JEE Main mathematics questions (India's engineering entrance exam), from OpenAI evals' registry.

The file ships inside the `evals` package (read as a file: importing evals pulls its whole stack). Each item
is multiple choice; here it becomes an exact-answer math task: the question without its options, and as
reference the correct option's value. Items are kept only when that value is a plain closed-form number (digits,
arithmetic, fractions, roots, pi, e: e.g. 90, -1/4, 3\\sqrt{3}/4) that math-verify parses, and when the question
does not refer to its options ("which of the following ..."): about a third of the 434 items survive.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import math_question
from conductor.tasks.sources._package_data import package_file
from conductor.tasks.split import short_hash, split_for

NAME = "jee-math"
LOADER_VERSION = "1"
PACKAGE = "evals"
_OPTION = re.compile(r"^\(([A-D])\)\s*(.*)$")
_IDEAL = re.compile(r"\(([A-D])\)")
_REFERS_TO_OPTIONS = re.compile(r"following|which of|options?\b|statement|correct\b|true\b", re.IGNORECASE)
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


def _strip_math_delimiters(text: str) -> str:
    text = text.strip().translate(_DASHES)
    if text.startswith("\\(") and text.endswith("\\)"):
        text = text[2:-2].strip()
    return text.rstrip("\\ ").strip()


_ALLOWED_COMMANDS = {"frac", "dfrac", "tfrac", "sqrt", "pi", "left", "right", "cdot", "times", "text"}


def _plain_expression(text: str) -> bool:
    """Only numbers, + - * / ^ ( ) { }, fractions, roots, pi and e (units in \\text{} are dropped).

    math-verify parses some richer forms only in part (it reads '2^{2n} - ^{2n}C_n' as 2 and a sum with
    '\\right )' as 1), which would make a wrong reference; a narrow whitelist keeps every kept answer exact.
    """
    if any(cmd not in _ALLOWED_COMMANDS for cmd in re.findall(r"\\([A-Za-z]+)", text)):
        return False
    if re.search(r"\\text\s*\{[^{}]*[A-Za-z]{4,}[^{}]*\}", text):
        return False  # words, not a unit
    bare = re.sub(r"\\text\s*\{[^{}]*\}", "", text)
    bare = re.sub(r"\\[A-Za-z]+", "", bare)
    return re.fullmatch(r"[0-9eE\s\.\+\-\*/\^\(\)\{\}×]*", bare) is not None and re.search(r"\d", bare) is not None


def _independent_value(text: str) -> complex | None:
    """The value of a plain expression, read by sympy's own parser after a few textual rewrites.

    A second reading, independent of math-verify's LaTeX grammar: a reference is kept only when both agree.
    """
    from sympy import E, N, pi, sqrt
    from sympy.parsing.sympy_parser import (
        convert_xor,
        implicit_multiplication_application,
        parse_expr,
        standard_transformations,
    )

    t = re.sub(r"\\text\s*\{[^{}]*\}", "", text).replace("\\left", "").replace("\\right", "")
    t = t.replace("\\cdot", "*").replace("\\times", "*").replace("×", "*").replace("\\pi", " pi ")
    while True:
        new = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"((\1)/(\2))", t)
        new = re.sub(r"\\sqrt\s*\{([^{}]*)\}", r"sqrt(\1)", new)
        new = re.sub(r"(?<![A-Za-z}])\{([^{}]*)\}", r"(\1)", new)  # not a \frac or \sqrt argument
        if new == t:
            break
        t = new
    if "\\" in t:
        return None
    transformations = standard_transformations + (implicit_multiplication_application, convert_xor)
    try:
        expr = parse_expr(t, local_dict={"e": E, "E": E, "pi": pi, "sqrt": sqrt}, transformations=transformations)
        return complex(N(expr))
    except Exception:
        return None


def closed_form_value(text: str) -> bool:
    """True when `text` is a plain closed-form number that math-verify reads correctly: its value must
    match an independent reading by sympy's parser. Parsing runs without math-verify's signal-based
    timeout so it works off the main thread too (prepare may run inside a Prefect worker thread); the
    strings are short option values."""
    from math_verify import parse
    from sympy import Expr, N

    if not _plain_expression(text):
        return False
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    try:
        parsed = parse(f"${text}$", parsing_timeout=None)
        if not parsed or not isinstance(parsed[0], Expr) or parsed[0].free_symbols:
            return False
        value = complex(N(parsed[0]))
    except Exception:
        return False
    other = _independent_value(text)
    return other is not None and abs(value - other) <= 1e-9 * max(1.0, abs(other))


def parse_item(row: dict[str, Any]) -> tuple[str, dict[str, str], str] | None:
    """(stem, options by letter, correct letter), or None for an item in an unexpected shape."""
    content = next((m["content"] for m in row["input"] if m["role"] == "user"), "")
    stem_lines, options = [], {}
    for line in content.strip().splitlines():
        m = _OPTION.match(line.strip())
        if m:
            options[m.group(1)] = m.group(2)
        elif not options:
            stem_lines.append(line)
    ideal = row["ideal"][0] if isinstance(row["ideal"], list) else row["ideal"]
    m = _IDEAL.search(ideal)
    if not m or set(options) != set("ABCD"):
        return None
    return "\n".join(stem_lines).strip(), options, m.group(1)


def load(seed: int = 0) -> list[Task]:
    path = package_file("evals", "registry/data/jee-math/samples.jsonl")
    tasks: dict[str, Task] = {}
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for row in rows:
        item = parse_item(row)
        if item is None:
            continue
        stem, options, letter = item
        if not stem or _REFERS_TO_OPTIONS.search(stem):
            continue
        value = _strip_math_delimiters(options[letter])
        if not value or not closed_form_value(value):
            continue
        tid = f"{NAME}/{short_hash(stem)}"
        tasks.setdefault(
            tid,
            Task(
                id=tid,
                source=NAME,
                domain="math",
                question=math_question(stem.translate(_DASHES)),
                answer=value,
                verifier="math",
                verifier_data={"original_letter": letter},
                split=split_for(tid),
                real=True,
            ),
        )
    return list(tasks.values())
