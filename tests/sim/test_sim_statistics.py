"""The server's answers follow the documented probability model (irt), checked statistically over real HTTP.

Each condition asks one worker once on each of 240 tasks that share one difficulty level, so every task has
its own draw of the worker's take on it and the hit rate estimates the model's marginal P(right) at that
level. Every draw is seeded, so these cannot flake; the tolerance is 4 binomial standard deviations (plus one
count of rounding), so a seed set that happened to pass by luck is not what keeps them green: a wrong
formula misses by far more (each case is built so the likely mistakes lie 15+ points away).
"""

from __future__ import annotations

import asyncio

import pytest
from simkit import LEVEL, SCIENCE, SCIENCE_AT_LEVEL, client_for, gather_limited

from conductor.pool.spec import PoolSpec
from conductor.sim.answers import (
    extract_answer,
    is_right,
    normalise,
    reply_text,
    right_answer,
    stated_confidence,
    stated_verdict,
    wrong_answer,
)
from conductor.sim.behaviour import CUE_IF_RIGHT, CUE_IF_WRONG, numbers, repeat_share
from conductor.sim.server import SimServer
from conductor.workflow.worker_prompt import SeenStep, worker_messages

N = len(SCIENCE_AT_LEVEL)  # one draw per task


def tolerance(p: float, n: int = N) -> float:
    return 4 * (p * (1 - p) / n) ** 0.5 + 1 / n


RIGHT = SeenStep(0, "Solve the problem.", reply_text(SCIENCE, right_answer(SCIENCE), 0, 0))
WRONG_A = SeenStep(2, "Solve the problem.", reply_text(SCIENCE, wrong_answer(SCIENCE, 0), 0, 1))
WRONG_B = SeenStep(4, "Solve the problem.", reply_text(SCIENCE, wrong_answer(SCIENCE, 1), 0, 2))


def _replies(
    sim: SimServer, model: str, subtask: str, visible: list[SeenStep], previous=None, calls=1, **kw
) -> list[list[str]]:
    """Per task, the replies of `calls` requests (seeds differ) with the same message."""

    async def go():
        client = client_for(sim)

        def call(task, seed: int):
            msgs = worker_messages(task.question, subtask, visible, previous_round=previous)
            return lambda: client.chat.completions.create(model=model, messages=msgs, seed=seed, **kw)

        factories = [call(t, i * 16 + c) for i, t in enumerate(SCIENCE_AT_LEVEL) for c in range(calls)]
        replies = await gather_limited(factories)
        return [r.choices[0].message.content for r in replies]

    flat = asyncio.run(go())
    return [flat[i * calls : (i + 1) * calls] for i in range(N)]


def _rate(replies: list[list[str]]) -> float:
    return sum(is_right(SCIENCE, r[0]) for r in replies) / N


# sim-small (3) is a poor solver but a strong checker, so "one right answer visible" is far from "solve";
# sim-alpha (0) is a strong solver but a weak checker, so "all visible wrong" and "unfocused" are far from "solve".
SMALL, ALPHA = 3, 0

CASES = {
    "solve alone": (ALPHA, "Solve the problem.", [], None, lambda s, j: s),
    "solve, ignoring the answers it sees": (SMALL, "Solve the problem.", [RIGHT, WRONG_A], None, lambda s, j: s),
    "review, one visible answer right": (
        SMALL,
        "Check the answers above.",
        [WRONG_A, RIGHT],
        None,
        lambda s, j: j + (1 - j) * s,
    ),
    "review, every visible answer wrong": (
        ALPHA,
        "Check the answers above.",
        [WRONG_A, WRONG_B],
        None,
        lambda s, j: j * s,
    ),
    "review, the right one in the previous round": (
        SMALL,
        "Verify and refine.",
        [WRONG_A],
        [RIGHT],
        lambda s, j: j + (1 - j) * s,
    ),
    "unfocused subtask": (ALPHA, "blorp zig", [], None, lambda s, j: s / 2),
}


@pytest.mark.parametrize("case", list(CASES))
def test_accuracy_matches_the_model(case: str, sim: SimServer, pool: PoolSpec) -> None:
    worker, subtask, visible, previous, formula = CASES[case]
    spec = pool.worker(worker)
    nums = numbers(spec.sim, "science", LEVEL, pool.sim_model, spec.temperature)
    expected = formula(nums.solve, nums.judge)
    replies = _replies(sim, spec.model, subtask, visible, previous)
    got = _rate(replies)
    assert abs(got - expected) <= tolerance(expected), (case, got, expected)
    if case == "review, one visible answer right":  # a review says whether it agrees, and with whom
        shown = {normalise(extract_answer(s.response) or "") for s in visible}
        for (r,) in replies:
            agrees = normalise(extract_answer(r) or "") in shown
            assert stated_verdict(r) == ("agree" if agrees else "disagree"), r
            if is_right(SCIENCE, r):
                assert "agree with Agent 0" in r  # RIGHT is tagged with agent 0
    if case == "solve alone":  # the confidence cue: 'high' three times as likely for a right answer
        right = [r for (r,) in replies if is_right(SCIENCE, r)]
        wrong = [r for (r,) in replies if not is_right(SCIENCE, r)]
        high_right = sum(stated_confidence(r) == "high" for r in right) / len(right)
        high_wrong = sum(stated_confidence(r) == "high" for r in wrong) / len(wrong)
        assert abs(high_right - CUE_IF_RIGHT[0]) <= tolerance(CUE_IF_RIGHT[0], len(right))
        assert abs(high_wrong - CUE_IF_WRONG[0]) <= tolerance(CUE_IF_WRONG[0], len(wrong))


@pytest.mark.parametrize("temperature", [0.2, 2.0])
def test_repeated_calls_share_the_workers_take_as_the_temperature_says(
    temperature: float, sim: SimServer, pool: PoolSpec
) -> None:
    """Two calls of one worker on one task (seeds differ) are both right with E[q(S)^2], q(S) = share * S +
    (1 - share) * p: 0.9 shared at the workers' usual 0.2, nothing at 2.0 (then p^2, independent draws)."""
    spec = pool.worker(1)  # sim-beta: near 0.5 on science, where sharing moves the figure most
    p = numbers(spec.sim, "science", LEVEL, pool.sim_model, temperature).solve
    share = repeat_share(temperature)
    both = p * (share + (1 - share) * p) ** 2 + (1 - p) * ((1 - share) * p) ** 2
    replies = _replies(sim, spec.model, "Solve the problem.", [], calls=2, temperature=temperature)
    got = sum(is_right(SCIENCE, a) and is_right(SCIENCE, b) for a, b in replies) / N
    assert abs(got - both) <= tolerance(both), (temperature, got, both)
    if share > 0:  # repeated wrong takes repeat the wrong answer too (what makes a vote of one model weak)
        same_wrong = [
            extract_answer(a) == extract_answer(b)
            for a, b in replies
            if not is_right(SCIENCE, a) and not is_right(SCIENCE, b)
        ]
        assert sum(same_wrong) / len(same_wrong) > 0.8
