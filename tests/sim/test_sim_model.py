"""The simulator's pieces without HTTP: roles, answers, request parsing, probabilities, fault config."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import CODE, CODE_TESTS, MATH, SCIENCE

from conductor.pool.spec import SimModel, SimProfile
from conductor.sim.answers import (
    extract_answer,
    fallback_wrong_program,
    is_right,
    normalise,
    reply_text,
    right_answer,
    stated_confidence,
    stated_verdict,
    wrong_answer,
)
from conductor.sim.behaviour import Draw, at_level, difficulty_level, p_correct, repeat_share, unit_hash
from conductor.sim.faults import FAULTS, FaultConfig
from conductor.sim.oracle import REVIEW_SUBTASK, SOLVE_SUBTASK
from conductor.sim.request import parse_worker_request
from conductor.sim.responder import respond
from conductor.sim.roles import classify_role
from conductor.sim.taskbook import TaskBook
from conductor.tasks.schema import Task
from conductor.workflow.worker_prompt import SeenStep, worker_messages


@pytest.mark.parametrize(
    "subtask, role",
    [
        ("Solve the problem.", "solve"),
        ("Write a Python function that passes the tests.", "solve"),
        ("Compute the integral step by step", "solve"),
        ("Implement the solution.", "solve"),
        ("Verify the previous answer and fix it if wrong.", "review"),
        ("Check the answers above.", "review"),
        ("Choose the best of the candidate answers.", "review"),
        ("Give the FINAL ANSWER based on the work so far.", "review"),
        ("Critique and refine Agent 2's program.", "review"),
        ("AGGREGATE the responses", "review"),
        ("", "unfocused"),
        ("   ", "unfocused"),
        ("blorp zig", "unfocused"),
        ("hello there", "unfocused"),
        ("the the the the", "unfocused"),
    ],
)
def test_role_from_subtask(subtask: str, role: str) -> None:
    assert classify_role(subtask) == role


def test_oracle_subtasks_have_the_roles_the_oracle_assumes() -> None:
    assert classify_role(SOLVE_SUBTASK) == "solve"
    assert classify_role(REVIEW_SUBTASK) == "review"


def test_keywords_match_at_word_start_only() -> None:
    # "prefix" contains "fix" and "unchecked" contains "check" but not at a word start.
    assert classify_role("prefix unchecked") == "unfocused"


PROFILE = SimProfile(skill={"math": 0.6}, judge={"math": 0.7})


def test_p_correct_follows_the_documented_formulas() -> None:
    s, j = 0.6, 0.7
    assert p_correct(PROFILE, "math", "solve", 0, False) == s
    assert p_correct(PROFILE, "math", "solve", 3, True) == s  # a solver ignores what it sees
    assert p_correct(PROFILE, "math", "review", 0, False) == s  # nothing to review: solves
    assert p_correct(PROFILE, "math", "review", 2, True) == pytest.approx(j + (1 - j) * s)
    assert p_correct(PROFILE, "math", "review", 2, False) == pytest.approx(j * s)
    assert p_correct(PROFILE, "math", "unfocused", 0, False) == s / 2
    assert p_correct(PROFILE, "science", "solve", 0, False) == 0.0  # unknown domain: cannot do it


def test_draws_depend_on_every_input_and_nothing_else() -> None:
    msgs = [{"role": "user", "content": "x"}]
    base = Draw(0, 1, "m", msgs)
    assert Draw(0, 1, "m", [{"content": "x", "role": "user"}]).u() == base.u()  # key order is irrelevant
    others = [Draw(1, 1, "m", msgs), Draw(0, 2, "m", msgs), Draw(0, 1, "n", msgs), Draw(0, 1, "m", [])]
    assert len({base.u(), *(d.u() for d in others)}) == 5
    assert base.u() != base.fault_u(0) != base.fault_u(1)


def test_unit_hash_is_roughly_uniform() -> None:
    us = [unit_hash("t", i) for i in range(4000)]
    assert all(0.0 <= u < 1.0 for u in us)
    for k in range(10):  # each decile holds 10% +- 5 sigma
        frac = sum(k / 10 <= u < (k + 1) / 10 for u in us) / len(us)
        assert abs(frac - 0.1) < 5 * (0.09 / len(us)) ** 0.5


@pytest.mark.parametrize("task", [MATH, SCIENCE, CODE], ids=lambda t: t.domain)
def test_right_and_wrong_replies(task: Task) -> None:
    right = reply_text(task, right_answer(task), 0, 0)
    assert right.startswith("<idea>") and is_right(task, right)
    seen = set()
    for variant in range(12):
        wrong = reply_text(task, wrong_answer(task, variant), 0, variant)
        assert not is_right(task, wrong), wrong
        assert wrong_answer(task, variant) == wrong_answer(task, variant)  # deterministic
        seen.add(normalise(extract_answer(wrong) or ""))
    if task.verifier != "code":  # a short program may admit only one failing mutation (conductor.tasks.mutate)
        assert len(seen) >= 2  # wrong answers vary with the draw


def test_wrong_choice_is_another_option() -> None:
    letters = {wrong_answer(SCIENCE, v) for v in range(20)}
    assert letters == {"A", "C", "D"}


@settings(max_examples=60, deadline=None)
@given(
    ref=st.one_of(
        st.integers(-(10**12), 10**12).map(str),
        st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False).map(str),
        st.tuples(st.integers(-50, 50), st.integers(1, 50)).map(lambda t: f"{t[0]}/{t[1]}"),
        st.sampled_from([r"\frac{\sqrt{3}}{2}", r"2\pi", r"\pi", "x^2+1", "(1, 2)", r"\{3, 4\}"]),
    ),
    variant=st.integers(0, 1000),
)
def test_wrong_math_is_never_the_reference(ref: str, variant: int) -> None:
    task = MATH.model_copy(update={"answer": ref})
    assert normalise(wrong_answer(task, variant)) != normalise(right_answer(task))


def _passes(program: str) -> bool:
    """Run a program against the task's tests in a real subprocess (as the code verifier would)."""
    code = f"{program}\n\n{CODE_TESTS}\ncheck({CODE.verifier_data['entry_point']})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
    return proc.returncode == 0


def test_reference_program_passes_and_wrong_programs_fail() -> None:
    assert _passes(CODE.answer)
    for variant in range(3):
        body = extract_answer(wrong_answer(CODE, variant)) or ""
        program = body.strip().removeprefix("```python").removesuffix("```")
        assert not _passes(program), program
        assert not _passes(fallback_wrong_program(CODE, variant))


def test_fallback_program_finds_the_entry_point_without_verifier_data() -> None:
    bare = CODE.model_copy(update={"verifier_data": {}})
    assert fallback_wrong_program(bare, 0).startswith("def running_sum(")


def test_request_parsing_round_trips_the_worker_format() -> None:
    right = reply_text(MATH, "100", 0, 0)
    wrong = reply_text(MATH, "99", 0, 1)
    visible = [SeenStep(2, "Solve the problem.", right), SeenStep(0, "Solve it", ""), SeenStep(4, "Try", wrong)]
    previous = [SeenStep(1, "Earlier attempt", wrong)]
    msgs = worker_messages(MATH.question, "Check the answers above.", visible, previous_round=previous)
    req = parse_worker_request(msgs)
    assert req.structured and req.question == MATH.question
    assert req.subtask == "Check the answers above."
    # the previous round's answer and the two non-empty visible ones, in order; the empty step is skipped
    assert req.candidates == (wrong, right, wrong)
    assert [is_right(MATH, c) for c in req.candidates] == [False, True, False]


def test_a_plain_question_is_read_as_the_question() -> None:
    req = parse_worker_request([{"role": "user", "content": f"  {MATH.question}\n"}])
    assert not req.structured and req.question == MATH.question and req.candidates == ()


def test_fault_config_picks_by_cumulative_rate_and_rejects_overfull_rates() -> None:
    cfg = FaultConfig(timeout=0.1, rate_limit=0.2, truncated=0.1)
    assert cfg.pick(0.05) == "timeout" and cfg.pick(0.25) == "rate_limit" and cfg.pick(0.35) == "truncated"
    assert cfg.pick(0.45) is None
    assert FaultConfig().total == 0 and all(FaultConfig.only(f).pick(0.99) == f for f in FAULTS)
    with pytest.raises(ValueError):
        FaultConfig(empty=0.6, garbage=0.6)


@pytest.mark.parametrize("task", [MATH, SCIENCE, CODE], ids=lambda t: t.domain)
def test_the_real_verifier_agrees_with_the_simulator(task: Task) -> None:
    """What the simulator renders as right (wrong) is what the project's verifier grades right (wrong)."""
    verify = pytest.importorskip("conductor.tasks.verify").verify
    assert verify(task, reply_text(task, right_answer(task), 0, 0)).correct
    for variant in range(3):
        assert not verify(task, reply_text(task, wrong_answer(task, variant), 0, variant)).correct


def test_difficulty_comes_from_the_sources_metadata_else_from_the_id() -> None:
    assert difficulty_level("x", 0.0, 8) == 0 and difficulty_level("x", 1.0, 8) == 7
    assert difficulty_level("x", 0.5, 8) == 4 and difficulty_level("x", 0.4, 5) == 2  # e.g. MATH's level 2 of 5
    counts = [0] * 8
    for i in range(1600):
        counts[difficulty_level(f"task-{i}", None, 8)] += 1
    assert all(abs(c - 200) < 5 * (1600 * 0.125 * 0.875) ** 0.5 for c in counts)  # even spread, 5 sigma
    assert difficulty_level("task-1", None, 8) == difficulty_level("task-1", None, 8)


def test_irt_numbers_average_to_the_pool_files_and_fall_with_difficulty() -> None:
    model = SimModel()
    for mean in (0.05, 0.45, 0.84, 0.97):
        ps = [at_level(mean, k, model) for k in range(model.levels)]
        assert sum(ps) / len(ps) == pytest.approx(mean, abs=1e-9)
        assert all(a > b for a, b in zip(ps, ps[1:], strict=False))  # harder levels, lower chances
    assert at_level(0.6, 3, SimModel(kind="independent")) == 0.6 and at_level(0.0, 3, model) == 0.0
    assert repeat_share(0.0) == 1.0 and repeat_share(0.2) == pytest.approx(0.9) and repeat_share(2.5) == 0.0


def test_the_independent_model_replies_exactly_as_the_first_simulator() -> None:
    """No cue, no verdict, the first simulator's draw: so the old figures reproduce. irt replies carry both."""
    book = TaskBook([SCIENCE])
    visible = [SeenStep(2, "Solve the problem.", reply_text(SCIENCE, right_answer(SCIENCE), 0, 0))]
    msgs = worker_messages(SCIENCE.question, "Check the answers above.", visible)
    req = parse_worker_request(msgs)
    for seed in range(20):
        draw = Draw(0, seed, "m", msgs)
        old = respond(PROFILE_S, book, req, msgs, draw, model=SimModel(kind="independent"))
        p = PROFILE_S.judge["science"] + (1 - PROFILE_S.judge["science"]) * PROFILE_S.skill["science"]
        answer = right_answer(SCIENCE) if draw.u() < p else wrong_answer(SCIENCE, draw.variant())
        assert old.content == reply_text(SCIENCE, answer, 1, draw.wording())
        new = respond(PROFILE_S, book, req, msgs, draw, model=SimModel(), temperature=0.2)
        assert stated_confidence(new.content) in ("high", "medium", "low")
        assert stated_verdict(new.content) == (
            "agree" if is_right(SCIENCE, new.content) else stated_verdict(new.content)
        )


PROFILE_S = SimProfile(skill={"science": 0.5}, judge={"science": 0.6})
