"""Reading a worker request back: the question, the subtask, and the earlier answers it shows.

The format is built in conductor.workflow.worker_prompt and parsed here with that module's constants, so a
change of format there is a change here too. A request that does not use the format (a plain question as
the user message, e.g. from a baseline or a person trying the server) is read as that question with no
subtask and no candidates, and is treated as a focused solve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from conductor.workflow.worker_prompt import OVERALL_CLOSE, OVERALL_OPEN, SUBTASK_PREFIX

_CANDIDATE = re.compile(r"<Agent (\d+) response>\n(.*?)\n</Agent \1 response>", re.DOTALL)


@dataclass(frozen=True)
class WorkerRequest:
    """What the simulator needs from a chat request."""

    question: str
    subtask: str | None
    candidates: tuple[str, ...]
    structured: bool  # True when the message used the worker format (has <overall_task>)
    agents: tuple[int, ...] = ()  # the worker id each candidate is tagged with, in the same order


def message_text(content: Any) -> str:
    """The text of an OpenAI message content: a string, or a list of parts with 'text'."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def parse_worker_request(messages: list[dict[str, Any]]) -> WorkerRequest:
    """Find the worker-format user message (the last user message that has <overall_task>) and read it."""
    users = [message_text(m.get("content")) for m in messages if m.get("role") == "user"]
    for text in reversed(users):
        start = text.find(OVERALL_OPEN)
        if start < 0:
            continue
        q_start = start + len(OVERALL_OPEN)
        end = text.find(OVERALL_CLOSE, q_start)
        if end < 0:
            continue
        question = text[q_start:end].strip("\n")
        rest = text[end + len(OVERALL_CLOSE) :]
        cut = rest.rfind(SUBTASK_PREFIX)
        subtask = rest[cut + len(SUBTASK_PREFIX) :].strip() if cut >= 0 else None
        shown = rest[:cut] if cut >= 0 else rest
        found = list(_CANDIDATE.finditer(shown))
        return WorkerRequest(
            question=question,
            subtask=subtask,
            candidates=tuple(m.group(2) for m in found),
            structured=True,
            agents=tuple(int(m.group(1)) for m in found),
        )
    question = users[-1].strip() if users else ""
    return WorkerRequest(question=question, subtask=None, candidates=(), structured=False)
