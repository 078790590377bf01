"""The Conductor's prompt: structure, pool modes, templates, the few-shot examples and the recursion turn."""

from __future__ import annotations

import re

import pytest

from conductor.pool.spec import load_pool
from conductor.workflow.conductor_prompt import (
    PREFILL,
    RECURSION_PREFILL,
    build_messages,
    build_recursion_messages,
    crop,
    pool_lines,
)
from conductor.workflow.fewshot import EXAMPLES
from conductor.workflow.parse import parse_workflow

POOL = load_pool()
QUESTION = "Which is larger, 2^10 or 10^3? Put the answer in <answer></answer>."


def _user(messages):
    return [m for m in messages if m["role"] == "user"][0]["content"]


def test_paper_template_has_the_sections_in_order():
    messages, prefill = build_messages(QUESTION, POOL)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert prefill == PREFILL
    text = _user(messages)
    marks = [
        "at most 5 routing steps",
        "Example 1",
        "Example 4",
        "USER QUESTION:",
        QUESTION,
        "END OF USER QUESTION",
        "AVAILABLE LANGUAGE MODELS:",
        "Model id 0",
        "Model id 4",
    ]
    positions = [text.index(m) for m in marks]
    assert positions == sorted(positions)
    assert '["all"]' in text and "[]" in text


def test_ids_mode_shows_ids_only_and_descriptions_mode_adds_them():
    ids_text = _user(build_messages(QUESTION, POOL, mode="ids")[0])
    desc_text = _user(build_messages(QUESTION, POOL, mode="descriptions")[0])
    pool_part = ids_text.split("AVAILABLE LANGUAGE MODELS:\n")[1]
    assert pool_part.splitlines() == [f"Model id {w.id}" for w in POOL.workers]
    for w in POOL.workers:
        assert w.description not in ids_text
        assert f"Model id {w.id}: {w.description}" in desc_text


def test_sub_pool_lists_only_its_workers_with_global_ids():
    sub = POOL.subset([1, 4])
    assert pool_lines(sub) == "Model id 1\nModel id 4"


def test_compact_template_is_short_and_has_no_examples():
    messages, _ = build_messages(QUESTION, POOL, template="compact", max_steps=3)
    text = _user(messages)
    overhead = len(text) - len(QUESTION) - len(pool_lines(POOL))
    assert overhead < 600
    assert "Example" not in text and "at most 3 steps" in text
    assert text.index("USER QUESTION:") < text.index("AVAILABLE LANGUAGE MODELS:")


def test_unknown_template_or_mode_is_refused():
    with pytest.raises(ValueError):
        build_messages(QUESTION, POOL, template="long")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        build_messages(QUESTION, POOL, mode="names")  # type: ignore[arg-type]


def test_question_with_braces_is_kept_verbatim():
    q = "Evaluate {a} + {b} where a={1}"
    assert q in _user(build_messages(q, POOL)[0])


def test_conductor_offers_itself_only_when_the_pool_says_so():
    assert "yourself" not in pool_lines(POOL)
    with_self = POOL.model_copy(update={"conductor_id": -1})
    assert pool_lines(with_self).splitlines()[-1].startswith("Model id -1: yourself")
    with pytest.raises(ValueError):
        type(POOL).model_validate({**POOL.model_dump(), "conductor_id": 2})


# --- few-shot -----------------------------------------------------------------------------------------------


def test_fewshot_examples_parse_and_show_the_three_topologies():
    assert len(EXAMPLES) == 4
    accesses = []
    for ex in EXAMPLES:
        w = parse_workflow(ex.workflow.render(), pool_ids=list(range(7)))
        assert w == ex.workflow
        accesses.append([s.access for s in w.steps])
    assert ["none", "all", "all"] in accesses  # attempt -> check -> refine
    assert ["none", "none", "all"] in accesses  # two independent answers -> checker
    assert any(len(a) == 4 and "none" in a and "all" in a for a in accesses)  # a 4-step mix
    assert len({len(a) for a in accesses}) >= 3
    assert len({s.worker for ex in EXAMPLES for s in ex.workflow.steps}) >= 4


def test_fewshot_examples_stay_outside_the_training_domains():
    for ex in EXAMPLES:
        q = ex.question
        assert not re.search(r"\bdef |\bfunction\b|python|\(A\)|\bA\)", q, re.IGNORECASE)
        assert ex.workflow.steps[-1].access == "all"
        assert "<answer></answer>" in ex.workflow.steps[-1].subtask


# --- recursion ----------------------------------------------------------------------------------------------


def test_recursion_messages_carry_the_previous_plan_and_answer():
    previous = PREFILL + " Worker 2 then a check.\nmodel_id = [2]\nsubtasks = ['Solve']\naccess_list = [[]]"
    messages, prefill = build_recursion_messages(QUESTION, POOL, previous, "<answer>1024</answer>", max_steps=2)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[:2] == build_messages(QUESTION, POOL, max_steps=2)[0]
    assert messages[2]["content"] == previous
    assert "<answer>1024</answer>" in messages[3]["content"] and "at most 2 steps" in messages[3]["content"]
    assert prefill == RECURSION_PREFILL
    accept = messages[3]["content"].split("three empty lists:")[1]
    assert parse_workflow(accept, allow_empty=True).is_accept


def test_long_previous_answer_is_cropped_keeping_the_tail():
    answer = "x" * 50_000 + "<answer>42</answer>"
    messages, _ = build_recursion_messages(QUESTION, POOL, "plan", answer, answer_limit=1000)
    last = messages[-1]["content"]
    assert "<answer>42</answer>" in last and "characters cropped" in last
    assert len(last) < 2000
    assert crop("short", 10) == "short"
