"""The server's answers follow the documented probability model, checked statistically over real HTTP.

Every draw is seeded, so these cannot flake; the tolerance is 4 binomial standard deviations, so a seed
set that happened to pass by luck is not what keeps them green: a wrong formula misses by far more.
"""

from __future__ import annotations

import asyncio

import pytest
from simkit import SCIENCE, client_for, gather_limited, model_of

from conductor.pool.spec import PoolSpec
from conductor.sim.answers import is_right, reply_text, right_answer, wrong_answer
from conductor.sim.server import SimServer
from conductor.workflow.worker_prompt import SeenStep, worker_messages

N = 240  # draws per condition


def tolerance(p: float, n: int = N) -> float:
    return 4 * (p * (1 - p) / n) ** 0.5 + 1 / n


RIGHT = SeenStep(0, "Solve the problem.", reply_text(SCIENCE, right_answer(SCIENCE), 0, 0))
WRONG_A = SeenStep(2, "Solve the problem.", reply_text(SCIENCE, wrong_answer(SCIENCE, 0), 0, 1))
WRONG_B = SeenStep(4, "Solve the problem.", reply_text(SCIENCE, wrong_answer(SCIENCE, 1), 0, 2))


def _rate(sim: SimServer, model: str, subtask: str, visible: list[SeenStep], previous=None) -> float:
    msgs = worker_messages(SCIENCE.question, subtask, visible, previous_round=previous)

    async def go():
        client = client_for(sim)

        def call(seed: int):
            return lambda: client.chat.completions.create(model=model, messages=msgs, seed=seed)

        replies = await gather_limited([call(s) for s in range(N)])
        return sum(is_right(SCIENCE, r.choices[0].message.content) for r in replies) / N

    return asyncio.run(go())


# Two workers on science, each used where its numbers separate the formula from the likely mistakes:
# sim-small (3) is a poor solver but a strong checker (skill .35, judge .80), so "one right answer visible"
# (.87) is far from "solve" (.35); sim-alpha (0) is a strong solver but a weak checker (skill .75, judge .40),
# so "all visible answers wrong" (.30) and "unfocused" (.375) are far from "solve" (.75).
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
    "review, nothing visible": (ALPHA, "Check the answers above.", [], None, lambda s, j: s),
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
    prof = pool.worker(worker).sim
    expected = formula(prof.skill["science"], prof.judge["science"])
    got = _rate(sim, model_of(pool, worker), subtask, visible, previous)
    assert abs(got - expected) <= tolerance(expected), (case, got, expected)


def test_reviewing_a_right_answer_beats_solving_which_beats_reviewing_wrong_ones(sim: SimServer, pool) -> None:
    """The qualitative claim the Conductor is meant to learn, on a second worker (sim-alpha)."""
    model = model_of(pool, 0)
    with_right = _rate(sim, model, "Check the answers above.", [WRONG_A, RIGHT])
    alone = _rate(sim, model, "Solve the problem.", [])
    all_wrong = _rate(sim, model, "Check the answers above.", [WRONG_A, WRONG_B])
    assert with_right > alone > all_wrong
