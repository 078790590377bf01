"""The offline sources on their real data (shipped inside installed packages)."""

from __future__ import annotations

import collections
import re

import pytest

from conductor.tasks.sources import SOURCES, load_source
from conductor.tasks.sources.mmlu import STEM_SUBJECTS
from conductor.tasks.verify import verify, verify_many


@pytest.fixture(scope="module")
def humaneval():
    return load_source("humaneval")


@pytest.fixture(scope="module")
def mmlu():
    return load_source("mmlu")


@pytest.fixture(scope="module")
def jee():
    return load_source("jee-math")


def test_humaneval_has_164_real_code_tasks(humaneval) -> None:
    assert len(humaneval) == 164 and len({t.id for t in humaneval}) == 164
    t = next(x for x in humaneval if x.id == "humaneval/HumanEval-0")
    assert t.domain == "code" and t.verifier == "code" and t.real
    assert t.verifier_data["entry_point"] == "has_close_elements" and "def check" in t.verifier_data["test"]
    assert "<answer>" in t.question and "def has_close_elements" in t.question
    assert t.answer.startswith(t.verifier_data["prelude"])  # a full program: prompt + canonical solution


def test_mmlu_is_stem_only_without_the_header_rows(mmlu) -> None:
    assert 2500 < len(mmlu) < 3200
    assert all(t.domain == "science" and t.verifier == "choice" and t.real for t in mmlu)
    assert {t.verifier_data["subject"] for t in mmlu} <= STEM_SUBJECTS
    assert not any(t.question.startswith("question\n") for t in mmlu)
    assert all(t.answer in "ABCD" and len(t.verifier_data["choices"]) == 4 for t in mmlu)


def test_mmlu_choices_are_shuffled_with_the_seed(mmlu) -> None:
    letters = collections.Counter(t.answer for t in mmlu)
    assert all(letters[x] > 0.2 * len(mmlu) for x in "ABCD")  # no letter dominates
    other = {t.id: t for t in load_source("mmlu", seed=1)}
    assert other.keys() == {t.id for t in mmlu}  # ids do not depend on the order shown
    moved = sum(other[t.id].answer != t.answer for t in mmlu)
    assert moved > 0.5 * len(mmlu)
    again = {t.id: t.answer for t in load_source("mmlu", seed=0)}
    assert again == {t.id: t.answer for t in mmlu}  # deterministic


def test_mmlu_question_shows_the_correct_choice_at_its_letter(mmlu) -> None:
    for t in mmlu[:200]:
        letter = t.answer
        shown = re.search(rf"^\({letter}\) (.*)$", t.question, re.MULTILINE)
        assert shown and shown.group(1) == t.verifier_data["choices"]["ABCD".index(letter)].strip()
        assert verify(t, f"<answer>{letter}</answer>").correct
        assert not verify(t, f"<answer>{'B' if letter == 'A' else 'A'}</answer>").correct


def test_jee_math_references_verify_against_themselves(jee) -> None:
    assert 150 < len(jee) < 434
    assert all(t.domain == "math" and t.verifier == "math" and t.real for t in jee)
    assert not any(re.search(r"^\([A-D]\)", t.question, re.MULTILINE) for t in jee)  # options removed
    sample = jee[::5]
    verdicts = verify_many([(t, f"<answer>{t.answer}</answer>") for t in sample])
    assert all(v.correct for v in verdicts), [v.reason for v in verdicts if not v.correct]
    wrong = verify_many([(t, "<answer>123456789</answer>") for t in sample])
    assert not any(v.correct for v in wrong)


def test_synthetic_source_is_marked_generated() -> None:
    tasks = load_source("synthetic-arith", seed=3)
    assert tasks and all(not t.real and t.source == "synthetic-arith" for t in tasks)
    assert not SOURCES["synthetic-arith"].real and SOURCES["humaneval"].real
    t = tasks[0]
    assert verify(t, f"<answer>{t.answer}</answer>").correct
    assert load_source("synthetic-arith", seed=3) == tasks


def test_registry_flags_and_unknown_source() -> None:
    offline = {n for n, s in SOURCES.items() if s.offline}
    assert offline == {"humaneval", "mmlu", "jee-math", "synthetic-arith"}
    assert all(s.license for s in SOURCES.values())
    with pytest.raises(ValueError, match="unknown task source"):
        load_source("nope")
