"""The lenient workflow parser: what it accepts, every error code, and no traceback for any input."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conductor.workflow.parse import parse_error_text, parse_workflow
from conductor.workflow.schema import Step, Workflow, WorkflowError

POOL = [0, 1, 2, 3, 4]


def wf(text: str, **kw) -> Workflow:
    return parse_workflow(text, pool_ids=kw.pop("pool_ids", POOL), **kw)


def error(text: str, **kw) -> WorkflowError:
    with pytest.raises(WorkflowError) as info:
        wf(text, **kw)
    return info.value


# --- leniency -------------------------------------------------------------------------------------------


def test_paper_form_round_trips_through_render():
    w = Workflow(
        steps=(
            Step(worker=2, subtask="Solve it. Put the answer in <answer></answer>.", access="none"),
            Step(worker=0, subtask='Check the "answer" above, line by line.', access="all"),
        )
    )
    assert wf(w.render()) == w


def test_think_blocks_backticks_and_bullets_are_ignored():
    text = (
        "<think>I could use model_id = [4] and subtasks = ['x'] and access_list = [[]]</think>\n"
        "```python\n"
        "- model_id = [1, 3]\n"
        "* subtasks = ['Write the code', 'Test it']\n"
        "+ access_list = [[], ['all']]\n"
        "```"
    )
    w = wf(text)
    assert [s.worker for s in w.steps] == [1, 3]
    assert [s.access for s in w.steps] == ["none", "all"]


def test_text_before_a_stray_closing_think_is_dropped():
    text = (
        "model_id = [4]\nsubtasks = ['draft']\naccess_list = [[]]\n</think>\n"
        "model_id = [2]\nsubtasks = ['final']\naccess_list = [[]]"
    )
    assert wf(text).steps[0].worker == 2


def test_labels_case_insensitive_with_colon_spaces_and_markdown():
    text = '**Model ID**: ["1", "4"]\n**Sub-tasks**: ["a", "b"]\n**Access**: [all, []]'
    w = wf(text)
    assert [s.worker for s in w.steps] == [1, 4]
    assert [s.access for s in w.steps] == ["all", "none"]


def test_json_object_form():
    text = json.dumps({"model_id": [0], "subtasks": ["Answer"], "access_list": [["all"]]})
    assert wf(text).steps == (Step(worker=0, subtask="Answer", access="all"),)


def test_json_with_true_false_null_falls_back_to_json_reader():
    # literal_eval rejects `true`; the JSON reader takes it. A list of id strings with "Model id 3" too.
    text = 'model_id: ["Model id 3", 1]\nsubtasks: ["a", "b"]\naccess_list: [[], ["all"]]\nflag: [true, null]'
    assert [s.worker for s in wf(text).steps] == [3, 1]


def test_comma_split_fallback_for_unquoted_items():
    w = wf("model_id = [0, 2]\nsubtasks = [Solve the problem, Check it's right]\naccess_list = [[], [all]]")
    assert [s.subtask for s in w.steps] == ["Solve the problem", "Check it's right"]
    assert [s.access for s in w.steps] == ["none", "all"]


def test_curly_quotes_are_straightened():
    w = wf("model_id = [0]\nsubtasks = [\u201cSolve, then explain\u201d]\naccess_list = [[]]")
    assert w.steps[0].subtask == "Solve, then explain"


def test_last_occurrence_of_each_label_wins():
    text = (
        "First idea: model_id = [4, 4]\nsubtasks = ['a', 'b']\naccess_list = [[], []]\n"
        "Better:\nmodel_id = [2]\nsubtasks = ['only one']\naccess_list = [[]]"
    )
    assert wf(text).steps == (Step(worker=2, subtask="only one", access="none"),)


def test_a_label_inside_a_subtask_string_is_not_a_label():
    text = "model_id = [1]\nsubtasks = ['Explain why model_id = [4] would be wrong']\naccess_list = [[]]"
    w = wf(text)
    assert w.steps[0].worker == 1
    assert "model_id = [4]" in w.steps[0].subtask


def test_all_on_step_zero_is_kept_and_sees_nothing():
    w = wf("model_id = [0]\nsubtasks = ['a']\naccess_list = [['all']]")
    assert w.steps[0].access == "all" and w.steps[0].visible(0) == ()


def test_fine_grained_positions_only_when_enabled():
    text = "model_id = [0, 1, 2]\nsubtasks = ['a', 'b', 'c']\naccess_list = [[], [0], ['1', 0, 0]]"
    w = wf(text, fine_grained=True)
    assert [s.access for s in w.steps] == ["none", (0,), (0, 1)]
    assert error(text).code == "bad_access"


def test_empty_lists_accepted_only_when_allowed():
    text = "model_id = []\nsubtasks = []\naccess_list = []"
    assert wf(text, allow_empty=True).is_accept
    assert error(text).code == "empty_workflow"


def test_without_a_pool_any_integer_id_is_accepted():
    assert parse_workflow("model_id=[17]\nsubtasks=['a']\naccess_list=[[]]").steps[0].worker == 17


# --- every error code --------------------------------------------------------------------------------------

ERRORS = [
    ("no_lists", "I would ask model 2 to solve it.", {}, None),
    ("missing_list", "model_id = [1]\nsubtasks = ['a']", {}, None),
    ("missing_list", "model_id = [1]\nsubtasks = ['a']\naccess_list = [[", {}, None),
    ("length_mismatch", "model_id = [1, 2]\nsubtasks = ['a']\naccess_list = [[]]", {}, None),
    ("length_mismatch", "model_id = [1]\nsubtasks = ['a']\naccess_list = []", {}, None),
    ("too_many_steps", "model_id=[0,1,2]\nsubtasks=['a','b','c']\naccess_list=[[],[],[]]", {"max_steps": 2}, None),
    ("empty_workflow", "model_id = []\nsubtasks = []\naccess_list = []", {}, None),
    ("bad_worker_id", "model_id = [0, 'two']\nsubtasks = ['a', 'b']\naccess_list = [[], []]", {}, 1),
    ("bad_worker_id", "model_id = [1.5]\nsubtasks = ['a']\naccess_list = [[]]", {}, 0),
    ("bad_worker_id", "model_id = [True]\nsubtasks = ['a']\naccess_list = [[]]", {}, 0),
    ("unknown_worker", "model_id = [0, 1, 9]\nsubtasks = ['a','b','c']\naccess_list = [[],[],[]]", {}, 2),
    ("bad_access", "model_id = [0, 1]\nsubtasks = ['a', 'b']\naccess_list = [[], ['some']]", {}, 1),
    ("bad_access", "model_id = [0, 1]\nsubtasks = ['a', 'b']\naccess_list = [[], [1]]", {"fine_grained": 1}, 1),
    ("bad_access", "model_id = [0, 1]\nsubtasks = ['a', 'b']\naccess_list = [[], [-1]]", {"fine_grained": 1}, 1),
    ("bad_access", "model_id = [0]\nsubtasks = ['a']\naccess_list = [{'all': 1}]", {}, 0),
    ("empty_subtask", "model_id = [0, 1]\nsubtasks = ['a', '   ']\naccess_list = [[], []]", {}, 1),
    ("empty_subtask", "model_id = [0]\nsubtasks = [['nested']]\naccess_list = [[]]", {}, 0),
    ("subtask_too_long", "model_id=[0]\nsubtasks=['" + "x" * 50 + "']\naccess_list=[[]]", {"max_subtask_chars": 40}, 0),
    ("text_too_long", "model_id=[0]\nsubtasks=['a']\naccess_list=[[]]" + " " * 200, {"max_text_chars": 100}, None),
]


@pytest.mark.parametrize(("code", "text", "kw", "step"), ERRORS)
def test_error_codes_and_the_step_they_name(code, text, kw, step):
    err = error(text, **kw)
    assert err.code == code
    assert err.step == step
    if step is not None:
        assert str(err).startswith(f"step {step}: ")
    assert parse_error_text(err).startswith(f"{code}: ")


def test_unknown_worker_message_names_step_and_pool():
    err = error("model_id = [0, 1, 9]\nsubtasks = ['a','b','c']\naccess_list = [[],[],[]]")
    assert str(err) == "step 2: worker 9 is not in the pool (0-4)"
    err = error("model_id = [1]\nsubtasks = ['a']\naccess_list = [[]]", pool_ids=[0, 2, 5])
    assert "(0, 2, 5)" in str(err)


def test_reference_to_current_step_names_it():
    err = error("model_id=[0,1]\nsubtasks=['a','b']\naccess_list=[[],[1]]", fine_grained=True)
    assert "step 1" in str(err) and "not an earlier step" in str(err)


def test_non_text_input_is_a_workflow_error():
    with pytest.raises(WorkflowError):
        parse_workflow(None)  # type: ignore[arg-type]


# --- never a traceback --------------------------------------------------------------------------------------

FRAGMENTS = [
    "model_id",
    "Model ID",
    "subtasks",
    "sub-tasks",
    "access_list",
    "Access",
    " = ",
    ": ",
    "=",
    ":",
    "[",
    "]",
    "[[",
    "]]",
    "[]",
    '["all"]',
    "all",
    "'all'",
    ",",
    " ",
    "\n",
    "0",
    "1",
    "4",
    "9",
    "-1",
    "'3'",
    '"Solve it"',
    "'Check it'",
    "it's",
    "\\",
    '"',
    "'",
    "<think>",
    "</think>",
    "```",
    "- ",
    "{",
    "}",
    "True",
    "None",
    "1e9",
    "99999999999999999999",
    "\u201c",
    "\u201d",
    "[0, 1]",
    "['a', 'b']",
    "[[], ['all']]",
    "((",
]


def _check(text: str, **kw) -> None:
    try:
        out = parse_workflow(text, **kw)
    except WorkflowError as e:
        assert isinstance(e.code, str) and e.code
        return
    assert isinstance(out, Workflow)
    assert len(out.steps) <= kw.get("max_steps", 5)
    pool = kw.get("pool_ids")
    for i, s in enumerate(out.steps):
        assert s.subtask.strip()
        if pool is not None:
            assert s.worker in pool
        assert all(p < i for p in s.visible(i))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_workflow_or_a_workflow_error(text):
    _check(text, pool_ids=POOL)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40), st.booleans(), st.booleans())
def test_fragments_of_workflows_give_a_workflow_or_a_workflow_error(parts, fine, empty):
    _check("".join(parts), pool_ids=POOL, fine_grained=fine, allow_empty=empty)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.text(min_size=1, max_size=60).filter(lambda s: s.strip()),
            st.sampled_from(["all", "none"]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_valid_workflow_survives_render_and_parse(steps):
    w = Workflow(steps=tuple(Step(worker=a, subtask=b.strip(), access=c) for a, b, c in steps))
    assert parse_workflow(w.render(), pool_ids=POOL) == w


def test_deeply_nested_brackets_do_not_crash():
    _check("model_id = " + "[" * 5000 + "]" * 5000 + "\nsubtasks=['a']\naccess_list=[[]]")
    _check("access_list = " + "[" * 50000)


def test_backticks_inside_a_subtask_are_kept_and_inline_code_labels_found():
    text = "`model_id = [1]`\n`subtasks = ['Fix `f(x)` so that it returns x + 1']`\n`access_list = [[]]`"
    assert wf(text).steps[0].subtask == "Fix `f(x)` so that it returns x + 1"
