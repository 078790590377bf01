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

from conductor.pool.spec import SimModel, SimProfile
from conductor.sim.answers import (
    extract_answer,
    is_right,
    normalise,
    reply_text,
    right_answer,
    verdict_text,
    wrong_answer,
)
from conductor.sim.behaviour import (
    UNFOCUSED_FACTOR,
    Draw,
    confidence,
    difficulty_level,
    numbers,
    p_correct,
    p_given,
)
from conductor.sim.faults import Fault
from conductor.sim.request import WorkerRequest, message_text
from conductor.sim.roles import Role, classify_role
from conductor.sim.taskbook import TaskBook
from conductor.tasks.schema import Task

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
    p: float | None = None  # P(right) for this call; irt: given the worker's own take on the task
    correct: bool | None = None
    domain: str | None = None
    level: int | None = None  # irt: the task's difficulty level


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


_INDEPENDENT = SimModel(kind="independent")


@dataclass(frozen=True)
class _Outcome:
    correct: bool
    p: float  # P(right | the worker's own take on the task)
    copies: bool  # a wrong review that took a visible answer for right (it copies one)
    repeats: bool  # this call repeated the worker's own take


def _irt_outcome(
    profile: SimProfile,
    task: Task,
    level: int,
    model: SimModel,
    temperature: float | None,
    role: Role,
    n_visible: int,
    any_right: bool,
    draw: Draw,
) -> _Outcome:
    """The irt model for one call (conductor.sim.behaviour): the worker's own take S, this call's solve O, and
    for a review with something visible the catch C: right iff C or O when a visible answer is right (it
    recognises that one, else solves), C and O when none is (it sees they are all wrong and solves, else it
    copies one of them)."""
    nums = numbers(profile, task.domain, level, model, temperature)
    own_right = draw.own_u(task.id) < nums.solve
    repeats = draw.share_u() < nums.share
    solved = own_right if repeats else draw.u() < nums.solve
    if role == "unfocused":
        solved = solved and draw.focus_u() < UNFOCUSED_FACTOR
    p = p_given(nums, role, n_visible, any_right, own_right)
    if role != "review" or n_visible == 0:
        return _Outcome(solved, p, False, repeats)
    caught = draw.catch_u() < nums.judge
    if any_right:
        return _Outcome(caught or solved, p, False, repeats)
    return _Outcome(caught and solved, p, not caught, repeats)


def _copied(task: Task, request: WorkerRequest, variant: int) -> str:
    """A visible (wrong) answer, picked by the draw: what a review that was taken in gives back."""
    answers = [a for a in (extract_answer(c) for c in request.candidates) if a is not None]
    return answers[variant % len(answers)].strip() if answers else wrong_answer(task, variant)


def _agreed_with(task: Task, request: WorkerRequest, answer: str) -> int | None:
    """The first visible agent whose answer is this one (normalised), or None."""
    mine = normalise(answer)
    for agent, text in zip(request.agents, request.candidates, strict=False):
        got = extract_answer(text)
        if got is not None and normalise(got) == mine:
            return agent
    return None


def respond(
    profile: SimProfile,
    book: TaskBook,
    request: WorkerRequest,
    messages: list[dict[str, Any]],
    draw: Draw,
    fault: Fault | None = None,
    max_tokens: int | None = None,
    model: SimModel = _INDEPENDENT,
    temperature: float | None = None,
) -> Reply:
    """The simulated worker's reply to one request (see docs/simulator.md for the model). `model` is the pool's
    behaviour model, `temperature` the request's (irt: it sets how much repeated calls share)."""
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
    reviewing = n_visible if role == "review" else 0
    level: int | None = None
    if model.kind == "independent":
        p = p_correct(profile, task.domain, role, n_visible, any_right)
        correct = draw.correct(p)
        answer = right_answer(task) if correct else wrong_answer(task, draw.variant())
        content = reply_text(task, answer, reviewing, draw.wording())
    else:
        level = difficulty_level(task.id, task.difficulty, model.levels)
        out = _irt_outcome(profile, task, level, model, temperature, role, n_visible, any_right, draw)
        correct, p = out.correct, out.p
        if correct:
            answer = right_answer(task)
        elif out.copies:
            answer = _copied(task, request, draw.variant())
        else:  # its own wrong answer: the same one whenever it repeats its own take (votes of one model agree)
            answer = wrong_answer(task, draw.own_variant(task.id) if out.repeats else draw.variant())
        verdict = verdict_text(_agreed_with(task, request, answer)) if reviewing else None
        cue = confidence(correct, draw.cue_u())
        content = reply_text(task, answer, reviewing, draw.wording(), confidence=cue, verdict=verdict)
    finish = "stop"
    if fault == "truncated":
        content, finish = _truncate(content), "length"
    elif max_tokens is not None and estimate_tokens(content) > max_tokens:
        content, finish = content[: max(1, max_tokens * 4)], "length"
    return Reply(content, finish, n_prompt, estimate_tokens(content), role, p, correct, task.domain, level)
