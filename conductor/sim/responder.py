"""One simulated reply, from a parsed request: the behaviour model applied, with no HTTP involved.

Kept apart from the server so the model can be read (and tested) in one place: find the task, classify the
role, judge the visible answers, take P(correct) from conductor.sim.behaviour, draw, and write the text.
Content-level faults (empty, garbage, truncated) are applied here too; transport faults (timeouts, 429,
500) belong to the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from conductor.pool.spec import SimProfile
from conductor.sim.answers import is_right, reply_text, right_answer, wrong_answer
from conductor.sim.behaviour import Draw, p_correct
from conductor.sim.faults import Fault
from conductor.sim.request import WorkerRequest, message_text
from conductor.sim.roles import Role, classify_role
from conductor.sim.taskbook import TaskBook

UNKNOWN_REPLY = "I cannot answer that: I do not recognise this question, so I have no reliable answer to give."
GARBAGE_REPLIES = (
    "Let me think about this. Actually, there are several ways to look at it, and I am not certain which",
    "As an AI language model I would approach this problem carefully, considering all the relevant factors.",
    "lorem ipsum <idea> the the the 4 4 4 ... ... ...",
)


@dataclass(frozen=True)
class Reply:
    """A reply and why it is what it is (the 'why' fields are for tests and logs, never sent to clients)."""

    content: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    role: Role | None = None
    p: float | None = None
    correct: bool | None = None
    domain: str | None = None


def estimate_tokens(text: str) -> int:
    """About four characters a token, at least one for any non-empty text."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    return max(1, estimate_tokens("".join(message_text(m.get("content")) for m in messages)))


def _truncate(content: str) -> str:
    """Cut a reply mid-answer, as a model that hit its token limit does: never includes </answer>."""
    close = content.find("</answer>")
    limit = len(content) // 2 if close < 0 else min(len(content) // 2, close)
    return content[: max(1, limit)]


def respond(
    profile: SimProfile,
    book: TaskBook,
    request: WorkerRequest,
    messages: list[dict[str, Any]],
    draw: Draw,
    fault: Fault | None = None,
    max_tokens: int | None = None,
) -> Reply:
    """The simulated worker's reply to one request (see docs/simulator.md for the model)."""
    n_prompt = prompt_tokens(messages)
    if fault == "empty":
        return Reply("", "stop", n_prompt, 0)
    if fault == "garbage":
        text = GARBAGE_REPLIES[draw.wording() % len(GARBAGE_REPLIES)]
        return Reply(text, "stop", n_prompt, estimate_tokens(text))
    task = book.find(request.question)
    if task is None:
        return Reply(UNKNOWN_REPLY, "stop", n_prompt, estimate_tokens(UNKNOWN_REPLY))
    role: Role = classify_role(request.subtask) if request.structured else "solve"
    n_visible = len(request.candidates)
    any_right = any(is_right(task, c) for c in request.candidates)
    p = p_correct(profile, task.domain, role, n_visible, any_right)
    correct = draw.correct(p)
    answer = right_answer(task) if correct else wrong_answer(task, draw.variant())
    reviewing = n_visible if role == "review" else 0
    content = reply_text(task, answer, reviewing, draw.wording())
    finish = "stop"
    if fault == "truncated":
        content, finish = _truncate(content), "length"
    elif max_tokens is not None and estimate_tokens(content) > max_tokens:
        content, finish = content[: max(1, max_tokens * 4)], "length"
    return Reply(content, finish, n_prompt, estimate_tokens(content), role, p, correct, task.domain)
