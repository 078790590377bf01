"""Recursion rounds and nested workflows, to their limits and no further, with a scripted Planner.

The scripted planner is a real implementation of the Planner protocol (fixed plan texts chosen from what
the prompt shows); the workers are the simulated pool over real HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from wf_helpers import QUESTIONS, serve, wf

from conductor.pool.client import PoolClient, RetryPolicy
from conductor.sim.faults import FaultConfig
from conductor.workflow.conductor_prompt import PREFILL, RECURSION_PREFILL
from conductor.workflow.rounds import Plan, RoundsRecord, run_rounds
from conductor.workflow.worker_prompt import PREVIOUS_OPEN

CHAIN = wf((2, "Solve the problem.", "none"), (3, "Check the answer above.", "all")).render()
IMPROVE = wf((0, "Solve the problem.", "none"), (4, "Verify all answers above.", "all")).render()
ACCEPT = "The answer is fine.\nmodel_id = []\nsubtasks = []\naccess_list = []"


class ScriptedPlanner:
    """Answers each prompt with `script(messages, prefill)`; keeps every prompt it was shown."""

    def __init__(self, script: Callable[[list[dict[str, str]], str], str]) -> None:
        self.script = script
        self.seen: list[tuple[list[dict[str, str]], str]] = []

    async def plan(self, messages: list[dict[str, str]], prefill: str) -> Plan:
        self.seen.append((messages, prefill))
        return Plan(text=self.script(messages, prefill))


def by_round(*texts: str) -> ScriptedPlanner:
    return ScriptedPlanner(lambda m, p: texts[min(len([x for x in m if x["role"] == "assistant"]), len(texts) - 1)])


def run(coro):
    return asyncio.run(coro)


def test_extra_rounds_run_to_their_limit_and_no_further(sim):
    planner = by_round(CHAIN, IMPROVE)
    rec = run(run_rounds(planner, QUESTIONS[0], sim.pool, PoolClient(sim.pool), extra_rounds=2, seed=3))
    assert len(rec.rounds) == 3 and len(planner.seen) == 3 and rec.stop_reason == "max_rounds" and rec.ok
    assert [p for _, p in planner.seen] == [PREFILL, RECURSION_PREFILL, RECURSION_PREFILL]
    second_prompt = planner.seen[1][0]
    assert [m["role"] for m in second_prompt] == ["system", "user", "assistant", "user"]
    assert second_prompt[2]["content"] == PREFILL + CHAIN
    r0, r1, r2 = rec.rounds
    assert r0.execution.answer in second_prompt[3]["content"]
    # in round 1 the "all" step also sees round 0's steps; the [] step does not
    assert PREVIOUS_OPEN in r1.execution.steps[1].messages[1]["content"]
    assert r0.execution.steps[0].output in r1.execution.steps[1].messages[1]["content"]
    assert PREVIOUS_OPEN not in r1.execution.steps[0].messages[1]["content"]
    assert r1.execution.steps[1].output in r2.execution.steps[1].messages[1]["content"]
    assert rec.answer == r2.execution.answer
    assert len({r.seed for r in rec.rounds}) == 3
    assert rec.cost_usd == sum(r.execution.cost_usd for r in rec.rounds) and rec.calls == 6


def test_zero_extra_rounds_is_one_round(sim):
    rec = run(run_rounds(by_round(CHAIN), QUESTIONS[1], sim.pool, PoolClient(sim.pool)))
    assert len(rec.rounds) == 1 and rec.answer == rec.rounds[0].execution.answer


def test_three_empty_lists_accept_and_stop(sim):
    planner = by_round(CHAIN, ACCEPT, IMPROVE)
    rec = run(run_rounds(planner, QUESTIONS[2], sim.pool, PoolClient(sim.pool), extra_rounds=3))
    assert rec.stop_reason == "accepted" and len(rec.rounds) == 2 and len(planner.seen) == 2
    assert rec.rounds[1].accepted and rec.rounds[1].execution is None
    assert rec.answer == rec.rounds[0].execution.answer and rec.ok


def test_empty_lists_in_round_zero_are_a_plan_error(sim):
    rec = run(run_rounds(by_round(ACCEPT), QUESTIONS[0], sim.pool, PoolClient(sim.pool), extra_rounds=1))
    assert rec.plan_error.startswith("empty_workflow") and rec.answer == "" and not rec.ok
    assert rec.failure is None and rec.stop_reason == "parse_error"


def test_a_later_round_that_does_not_parse_keeps_the_previous_answer(sim):
    rec = run(run_rounds(by_round(CHAIN, "no plan here"), QUESTIONS[3], sim.pool, PoolClient(sim.pool), extra_rounds=2))
    assert rec.stop_reason == "parse_error" and len(rec.rounds) == 2
    assert rec.rounds[1].parse_error.startswith("no_lists")
    assert rec.answer == rec.rounds[0].execution.answer and rec.ok


def test_an_infrastructure_fault_is_recorded_as_failure():
    with serve(FaultConfig.only("server_error")) as sim:
        client = PoolClient(sim.pool, retry=RetryPolicy(max_attempts=1))
        rec = run(run_rounds(by_round(CHAIN), QUESTIONS[0], sim.pool, client, extra_rounds=1))
    assert rec.failure == "round 0: step 0 (worker 2): server error (500) after 1 attempt"
    assert rec.plan_error is None and rec.stop_reason == "failure" and len(rec.rounds) == 1
    assert RoundsRecord.model_validate_json(rec.model_dump_json()).failure == rec.failure


# --- nesting ------------------------------------------------------------------------------------------------


def nesting_planner(question: str) -> ScriptedPlanner:
    """Delegates to itself whenever the prompt offers "Model id -1"; otherwise a plain two-step plan."""

    def script(messages, prefill):
        user = messages[1]["content"]
        if "Model id -1" in user.split("AVAILABLE LANGUAGE MODELS:")[1]:
            return wf((-1, question, "none"), (3, "Check the answer above.", "all")).render()
        return CHAIN

    return ScriptedPlanner(script)


def _depths(rec: dict, out: list[int]) -> list[int]:
    out.append(rec["depth"])
    for r in rec["rounds"]:
        for s in (r["execution"] or {}).get("steps", []):
            if s["nested"]:
                _depths(s["nested"], out)
    return out


def test_nesting_goes_to_the_depth_limit_and_no_further(sim):
    pool = sim.pool.model_copy(update={"conductor_id": -1})
    planner = nesting_planner(QUESTIONS[4])
    rec = run(run_rounds(planner, QUESTIONS[4], pool, PoolClient(sim.pool), max_depth=2, seed=1))
    assert rec.ok, rec.failure or rec.plan_error
    assert _depths(rec.model_dump(mode="json"), []) == [0, 1, 2]
    offered = ["Model id -1" in m[1]["content"].split("AVAILABLE LANGUAGE MODELS:")[1] for m, _ in planner.seen]
    assert offered == [True, True, False]  # not offered at the depth limit
    step0 = rec.rounds[0].execution.steps[0]
    assert step0.worker == -1 and step0.messages == []
    inner = RoundsRecord.model_validate(step0.nested)
    assert step0.output == inner.answer and step0.cost_usd == inner.cost_usd and step0.attempts == inner.calls
    assert rec.calls == 1 + 1 + 2  # a checker call at depths 0 and 1, a two-step chain at depth 2


def test_a_nested_workflow_sees_what_its_parent_step_saw(sim):
    pool = sim.pool.model_copy(update={"conductor_id": -1})

    def script(messages, prefill):
        if "Model id -1" in messages[1]["content"].split("AVAILABLE LANGUAGE MODELS:")[1]:
            return wf((2, "Solve the problem.", "none"), (-1, QUESTIONS[6], "all")).render()
        return CHAIN

    rec = run(run_rounds(ScriptedPlanner(script), QUESTIONS[6], pool, PoolClient(sim.pool), max_depth=1))
    parent = rec.rounds[0].execution
    nested = RoundsRecord.model_validate(parent.steps[1].nested).rounds[0].execution
    assert PREVIOUS_OPEN in nested.steps[1].messages[1]["content"]  # the nested "all" step
    assert parent.steps[0].output in nested.steps[1].messages[1]["content"]
    assert PREVIOUS_OPEN not in nested.steps[0].messages[1]["content"]  # the nested [] step
    assert rec.answer == nested.answer


def test_without_conductor_id_there_is_no_nesting(sim):
    planner = nesting_planner(QUESTIONS[4])
    rec = run(run_rounds(planner, QUESTIONS[4], sim.pool, PoolClient(sim.pool), max_depth=3))
    assert rec.ok and _depths(rec.model_dump(mode="json"), []) == [0]


def test_naming_the_conductor_past_the_limit_is_a_nested_plan_error(sim):
    pool = sim.pool.model_copy(update={"conductor_id": -1})
    always = wf((-1, QUESTIONS[5], "none")).render()
    rec = run(run_rounds(ScriptedPlanner(lambda m, p: always), QUESTIONS[5], pool, PoolClient(sim.pool), max_depth=1))
    assert rec.failure is None
    assert rec.plan_error.startswith("step 0 (nested): unknown_worker")
    nested = rec.rounds[0].execution.steps[0].nested
    assert nested["depth"] == 1 and nested["rounds"][0]["parse_error"].startswith("unknown_worker")
