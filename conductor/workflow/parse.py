"""Read a workflow out of the Conductor's raw text, leniently (paper section 2), then validate it.

What the parser forgives, in order:
  1. `<think>...</think>` blocks are dropped (and anything before a stray `</think>`); code-fence lines
     (```python) and leading bullets (`-`, `*`, `+`, `•`) are stripped; backticks around a label or a list
     are skipped. Backticks inside a subtask are kept: code instructions need them.
  2. Labels are found case-insensitively: `model_id` / "model id" / "model ids", `subtasks` / "sub-task",
     `access_list` / "access" / "access list", with optional quotes or `**` around them (JSON and markdown),
     then `=` or `:`, then a bracket-balanced list.
  3. Each list is read as a Python literal (`ast.literal_eval`, never `eval`), then JSON, then, with curly
     quotes straightened, a literal again, then a comma split that respects brackets and quotes.
  4. Ids may be digit strings ("3") or "Model id 3"; access entries may be ["all"], "all", all or [].

Which occurrence wins: the text is scanned left to right and a label inside a list already taken is not a
label (so a subtask that mentions "model_id = [...]" cannot hijack the plan). For each label the LAST
occurrence followed by a list wins: reasoning often drafts a plan and then revises it, and the final lists
come last. If that last list never closes (a truncated completion), the label counts as missing rather than
falling back to an earlier draft.

Errors are `WorkflowError` only, whatever the input: see validate.py for the codes that concern the lists'
content; this module adds `text_too_long`, `no_lists` and `missing_list`.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from typing import Any

from conductor.workflow.schema import MAX_STEPS, Workflow, WorkflowError
from conductor.workflow.validate import MAX_SUBTASK_CHARS, validate_lists

MAX_TEXT_CHARS = 100_000

LABELS = ("model_id", "subtasks", "access_list")

_LABEL = re.compile(
    r"(?<![a-z0-9])(?:(?P<model_id>model[\s_\-]*ids?)|(?P<subtasks>sub[\s_\-]*tasks?)"
    r"|(?P<access_list>access(?:[\s_\-]*lists?)?))"
    r"[\s\"'*`]*[=:][\s\"'*`]*(?=\[)",
    re.IGNORECASE,
)
_THINK = re.compile(r"<think>.*?</think>", re.IGNORECASE | re.DOTALL)
_BULLET = re.compile(r"(?m)^[ \t]*[-*+•][ \t]+")
_FENCE = re.compile(r"(?m)^[ \t]*```[^\n]*$")
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def clean_text(text: str) -> str:
    """The text with reasoning blocks, code fences and bullets removed."""
    text = _THINK.sub("", text)
    low = text.lower()
    if "</think>" in low:
        text = text[low.rindex("</think>") + len("</think>") :]
    text = re.sub(r"<think>", "", text, flags=re.IGNORECASE)
    text = _FENCE.sub("", text)
    return _BULLET.sub("", text)


def _close(text: str, start: int, quotes: bool) -> int | None:
    """Index just past the bracket matching text[start] == '['; None if it never closes."""
    depth, quote, i, n = 0, "", start, len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif quotes and c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def balanced_list(text: str, start: int) -> str | None:
    """The bracket-balanced list starting at `start`. Quotes are respected; if that never closes (an
    apostrophe in unquoted prose, say), brackets alone decide."""
    end = _close(text, start, quotes=True)
    if end is None:
        end = _close(text, start, quotes=False)
    return None if end is None else text[start:end]


def find_lists(text: str) -> dict[str, str | None]:
    """For each label found, the text of its last list (None when that list never closes)."""
    found: dict[str, str | None] = {}
    pos = 0
    while True:
        m = _LABEL.search(text, pos)
        if m is None:
            return found
        label = m.lastgroup or ""
        block = balanced_list(text, m.end())
        found[label] = block
        pos = m.end() + len(block) if block is not None else m.end() + 1


def _split_top(inner: str) -> list[str]:
    """Split on commas that are not inside brackets or quotes."""
    parts, depth, quote, cur = [], 0, "", []
    i = 0
    while i < len(inner):
        c = inner[i]
        if quote:
            if c == "\\" and i + 1 < len(inner):
                cur.append(c)
                i += 1
                c = inner[i]
            elif c == quote:
                quote = ""
        elif c in "\"'" and not "".join(cur).strip():
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "," and depth <= 0:
            parts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def _comma_split(block: str, depth: int = 0) -> list[Any]:
    inner = block.strip()[1:-1]
    if not inner.strip():
        return []
    out: list[Any] = []
    for part in _split_top(inner):
        p = part.strip()
        if p.startswith("[") and p.endswith("]") and depth < 3:
            out.append(_comma_split(p, depth + 1))
        else:
            p = p.strip("`").strip()
            if len(p) >= 2 and p[0] == p[-1] and p[0] in "\"'":
                p = p[1:-1]
            out.append(p)
    return out


def read_list(block: str) -> list[Any]:
    """A list literal as Python data: literal, JSON, literal with straight quotes, then a comma split."""
    for candidate in (block, block.translate(_CURLY)):
        for reader in (ast.literal_eval, json.loads):
            try:
                value = reader(candidate)
            except Exception:  # noqa: BLE001 - any failure means "try the next reader", never a traceback
                continue
            if isinstance(value, (list, tuple)):
                return list(value)
    return _comma_split(block)


def parse_workflow(
    text: str,
    pool_ids: Sequence[int] | None = None,
    max_steps: int = MAX_STEPS,
    allow_empty: bool = False,
    fine_grained: bool = False,
    max_subtask_chars: int = MAX_SUBTASK_CHARS,
    max_text_chars: int = MAX_TEXT_CHARS,
) -> Workflow:
    """The workflow in a Conductor completion. Raises WorkflowError (only) when there is none or it is invalid.

    allow_empty: three empty lists are a valid answer (a recursion round's "accept").
    fine_grained: access entries may also list earlier step positions (the paper's ablation; off by default).
    """
    if not isinstance(text, str):
        raise WorkflowError("no_lists", f"expected text, got {type(text).__name__}")
    if len(text) > max_text_chars:
        raise WorkflowError("text_too_long", f"the completion has {len(text)} characters (limit {max_text_chars})")
    found = find_lists(clean_text(text))
    if not any(found.get(k) is not None for k in LABELS):
        raise WorkflowError("no_lists", "no model_id, subtasks or access_list list was found")
    missing = [k for k in LABELS if found.get(k) is None]
    if missing:
        detail = ", ".join(f"{k} (not closed)" if k in found else k for k in missing)
        raise WorkflowError("missing_list", f"missing list: {detail}")
    lists = {k: read_list(found[k] or "[]") for k in LABELS}
    return validate_lists(
        lists["model_id"],
        lists["subtasks"],
        lists["access_list"],
        pool_ids=pool_ids,
        max_steps=max_steps,
        allow_empty=allow_empty,
        fine_grained=fine_grained,
        max_subtask_chars=max_subtask_chars,
    )


def parse_error_text(err: WorkflowError) -> str:
    """How a parse failure is stored in a rollout: '<code>: <message>'."""
    return f"{err.code}: {err}"
