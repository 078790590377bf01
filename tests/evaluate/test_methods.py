"""Each baseline's shape and call count, over HTTP against the simulated pool, and the metrics' arithmetic."""

from __future__ import annotations

import math
import statistics

import pytest
from conftest import TASKS

from conductor.config import RunConfig
from conductor.errors import ConfigError
from conductor.evaluate.majority import majority_index
from conductor.evaluate.methods import parse_methods
from conductor.evaluate.metrics import standard_error, summarize
from conductor.evaluate.reflect import MAX_REVISIONS
from conductor.evaluate.run import run_evaluation
from conductor.store.schema import RolloutRow

CFG = RunConfig()


def _run(server, names: list[str], repeats: int = 1) -> list[RolloutRow]:
    pool = server.pool
    return run_evaluation(
        None, TASKS, pool, CFG, parse_methods(names, pool), repeats=repeats, seed=3, run_id="t", iteration=0
    )


@pytest.fixture(scope="module")
def rows(eval_server) -> list[RolloutRow]:
    return _run(eval_server, ["single:0", "vote", "moa", "consensus:1", "reflect:2", "random"], repeats=2)


def _of(rows, method):
    mine = [r for r in rows if r.policy == method]
    assert len(mine) == 2 * len(TASKS), method  # one row per task and repeat
    return mine


def test_moa_is_every_worker_then_one_aggregator_that_sees_them_all(rows, eval_server):
    n = len(eval_server.pool.ids)
    for r in _of(rows, "moa"):
        assert [s.worker for s in r.steps[:n]] == list(eval_server.pool.ids)
        assert sum(s.attempts for s in r.steps) == n + 1 and r.infra_fault is None
        agg = r.steps[-1]
        assert agg.visible == list(range(n))
        shown = agg.messages[1]["content"]
        assert all(s.output in shown for s in r.steps[:n] if s.output.strip())
        assert r.answer == agg.output


def test_consensus_is_five_calls_and_the_majority_answer(rows):
    task = {t.id: t for t in TASKS}
    for r in _of(rows, "consensus:1"):
        assert [s.worker for s in r.steps] == [1] * 5 and all(s.visible == [] for s in r.steps)
        outputs = [s.output for s in r.steps]
        assert r.answer == outputs[majority_index(task[r.task_id], outputs)]
        assert len({s.seed for s in r.steps}) == 5  # independent samples


def test_vote_asks_every_worker_once(rows, eval_server):
    for r in _of(rows, "vote"):
        assert [s.worker for s in r.steps] == list(eval_server.pool.ids)
        assert r.answer in [s.output for s in r.steps]


def test_reflect_revises_up_to_five_times_seeing_every_earlier_attempt(rows):
    lengths = set()
    for r in _of(rows, "reflect:2"):
        assert 1 <= len(r.steps) <= 1 + MAX_REVISIONS and all(s.worker == 2 for s in r.steps)
        lengths.add(len(r.steps))
        for k, s in enumerate(r.steps):
            shown = s.messages[1]["content"]
            assert all(e.output in shown for e in r.steps[:k])
        if len(r.steps) < 1 + MAX_REVISIONS:  # it stopped: the last revision kept the previous answer
            assert len(r.steps) >= 2
    assert lengths


def test_single_and_random_and_repeats_differ(rows):
    single = _of(rows, "single:0")
    assert all(len(r.steps) == 1 and r.steps[0].worker == 0 for r in single)
    seeds = {(r.task_id, r.repeat): r.steps[0].seed for r in single}
    assert seeds[(TASKS[0].id, 0)] != seeds[(TASKS[0].id, 1)]
    assert {r.repeat for r in rows} == {0, 1}


def test_summary_figures_per_method(rows):
    by = {s.method: s for s in summarize(rows) if s.source == "all"}
    assert by["moa"].calls == len(rows[0].pool) + 1 and by["consensus:1"].calls == 5
    assert by["single:0"].repeats == 2 and by["single:0"].tasks == len(TASKS)
    assert by["moa"].usd > by["single:0"].usd > 0


def test_standard_error_matches_a_hand_computation():
    per_repeat = [0.5, 0.75, 0.25, 1.0]
    mean = sum(per_repeat) / 4
    by_hand = math.sqrt(sum((a - mean) ** 2 for a in per_repeat) / 3) / 2
    assert standard_error(per_repeat, []) == pytest.approx(by_hand) == pytest.approx(0.1614, abs=1e-4)
    assert statistics.stdev(per_repeat) / 2 == pytest.approx(by_hand)
    # one repeat: over its tasks
    assert standard_error([0.75], [True, True, True, False]) == pytest.approx(math.sqrt(0.75 * 0.25 / 3))


def test_infra_faults_are_counted_and_left_out_of_accuracy():
    ok = RolloutRow(
        run_id="r",
        iteration=0,
        rollout_id="a",
        task_id="t",
        source="s",
        domain="math",
        group_id="g",
        policy="m",
        correct=True,
        repeat=0,
    )
    bad = ok.model_copy(update={"infra_fault": "step 0: timeout", "correct": False, "task_id": "x"})
    (s,) = summarize([ok, bad])
    assert s.accuracy == 1.0 and s.infra_faults == 1


def test_bad_method_names_are_one_clear_error(eval_server):
    pool = eval_server.pool
    for bad, said in [("moe", "unknown method"), ("single:99", "no worker 99"), ("vote:1", "takes no worker")]:
        with pytest.raises(ConfigError, match=said):
            parse_methods([bad], pool)
    names = [m.name for m in parse_methods(["all"], pool, rounds=[0, 1])]
    assert names[:2] == ["conductor", "conductor+r1"] and "oracle" in names and "reflect:0" in names


def test_the_conductor_method_counts_its_own_tokens_per_round(eval_server, policy):
    pool = eval_server.pool
    cfg = RunConfig(policy={"max_new_tokens": 24})
    methods = parse_methods(["conductor"], pool, rounds=[0, 1])
    rows = run_evaluation(policy, TASKS[:3], pool, cfg, methods, repeats=1, seed=0, run_id="t", iteration=0)
    by = {m.name: [r for r in rows if r.policy == m.name] for m in methods}
    assert [len(v) for v in by.values()] == [3, 3]
    for r in by["conductor"]:
        assert r.conductor_prompt_tokens > 0 and r.conductor_completion_tokens == len(r.completion_ids) > 0
    for r0, r1 in zip(by["conductor"], by["conductor+r1"], strict=True):
        assert r1.conductor_prompt_tokens >= r0.conductor_prompt_tokens  # a later round adds its prompt
