"""Turn the three raw lists into a Workflow, or refuse with a WorkflowError that names the step.

Kept apart from the text extraction (parse.py) because it is also what guards every other way a workflow
reaches the executor: a plan from any source goes through `validate_lists`. A worker's output never does:
it is data, never read as part of a plan.

Steps are numbered from 0 in messages, as in fine-grained access lists ("step 2" is the third step).
Error codes are stable strings used by tests and stored in rollouts (`parse_error = "<code>: <message>"`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from conductor.workflow.schema import MAX_STEPS, Access, Step, Workflow, WorkflowError

MAX_SUBTASK_CHARS = 4000

_ID_TEXT = re.compile(r"^\s*(?:model\s*(?:id)?\s*)?(-?\d{1,9})\s*$", re.IGNORECASE)


def describe_ids(ids: Sequence[int]) -> str:
    """'0-4' for a contiguous pool, '0, 2, 5' otherwise: how error messages name the pool."""
    s = sorted(set(ids))
    if not s:
        return "empty"
    if len(s) > 1 and s == list(range(s[0], s[-1] + 1)):
        return f"{s[0]}-{s[-1]}"
    return ", ".join(str(i) for i in s)


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def worker_id(value: Any, step: int, pool_ids: Sequence[int] | None) -> int:
    """An integer id (digit strings and 'Model id 3' accepted) that is in the pool when a pool is given."""
    wid: int | None = None
    if isinstance(value, bool):
        wid = None
    elif isinstance(value, int):
        wid = value
    elif isinstance(value, str):
        m = _ID_TEXT.match(value)
        wid = int(m.group(1)) if m else None
    if wid is None:
        raise WorkflowError("bad_worker_id", f"worker id {_short(value)} is not an integer", step)
    if pool_ids is not None and wid not in pool_ids:
        raise WorkflowError("unknown_worker", f"worker {wid} is not in the pool ({describe_ids(pool_ids)})", step)
    return wid


def subtask_text(value: Any, step: int, max_chars: int) -> str:
    """A non-blank instruction within the length limit. Numbers are taken as text; containers are refused."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise WorkflowError("empty_subtask", f"the subtask {_short(value)} is not text", step)
    text = value.strip()
    if not text:
        raise WorkflowError("empty_subtask", "the subtask is empty", step)
    if len(text) > max_chars:
        raise WorkflowError("subtask_too_long", f"the subtask has {len(text)} characters (limit {max_chars})", step)
    return text


def _is_all(value: Any) -> bool:
    return isinstance(value, str) and value.strip().strip("'\"").lower() == "all"


def access_entry(value: Any, step: int, fine_grained: bool) -> Access:
    """["all"] / "all" -> "all"; [] -> "none"; with fine_grained, a list of earlier positions."""
    if _is_all(value):
        return "all"
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            return "none"
        if len(value) == 1 and _is_all(value[0]):
            return "all"
        if fine_grained:
            positions: set[int] = set()
            for v in value:
                pos = v if isinstance(v, int) and not isinstance(v, bool) else None
                if isinstance(v, str) and v.strip().isdigit() and len(v.strip()) < 10:
                    pos = int(v.strip())
                if pos is None or pos < 0:
                    raise WorkflowError("bad_access", f"access entry {_short(v)} is not a step position", step)
                if pos >= step:
                    raise WorkflowError(
                        "bad_access", f"access refers to step {pos}, which is not an earlier step", step
                    )
                positions.add(pos)
            return tuple(sorted(positions))
    allowed = '["all"], "all" or []' + (" or a list of earlier positions" if fine_grained else "")
    raise WorkflowError("bad_access", f"access entry {_short(value)} is not one of {allowed}", step)


def validate_lists(
    model_ids: Sequence[Any],
    subtasks: Sequence[Any],
    access: Sequence[Any],
    pool_ids: Sequence[int] | None = None,
    max_steps: int = MAX_STEPS,
    allow_empty: bool = False,
    fine_grained: bool = False,
    max_subtask_chars: int = MAX_SUBTASK_CHARS,
) -> Workflow:
    """Check the three lists together, then each step in order; the first problem found is raised."""
    n = (len(model_ids), len(subtasks), len(access))
    if len(set(n)) != 1:
        raise WorkflowError(
            "length_mismatch", f"the lists differ in length: model_id {n[0]}, subtasks {n[1]}, access_list {n[2]}"
        )
    if n[0] == 0:
        if allow_empty:
            return Workflow(steps=())
        raise WorkflowError("empty_workflow", "the workflow has no steps")
    if n[0] > max_steps:
        raise WorkflowError("too_many_steps", f"the workflow has {n[0]} steps (limit {max_steps})")
    steps = []
    for i, (w, s, a) in enumerate(zip(model_ids, subtasks, access, strict=True)):
        steps.append(
            Step(
                worker=worker_id(w, i, pool_ids),
                subtask=subtask_text(s, i, max_subtask_chars),
                access=access_entry(a, i, fine_grained),
            )
        )
    return Workflow(steps=tuple(steps))
