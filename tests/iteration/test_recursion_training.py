"""Recursion in training (conductor.iteration.recursion): one continuation per valid first-round rollout.

Real components throughout: the SIMULATED pool over real HTTP (a healthy server, and one whose every call
fails), real parsing, the real verifier, the Parquet store, and a tiny (untrained, `micro`) Conductor that
really samples the continuations. An untrained model never writes three parseable lists, so the rollouts
whose text matters (a valid first round, an accept, an improving workflow) are built by hand from text and
parsed exactly as generated ones are.
"""

from __future__ import annotations

import json

import pytest
import yaml
from sim_support import arithmetic_tasks, serve

from conductor.config import PolicyConfig, RolloutConfig, RunConfig, TrainConfig
from conductor.iteration.recursion import (
    add_recursion_round,
    apply_recursion_rewards,
    continuation_job,
    continuation_jobs,
    recursion_prompt,
)
from conductor.pool.client import RetryPolicy
from conductor.pool.spec import load_pool
from conductor.rollout.conductor_plans import conductor_prompt
from conductor.rollout.job import RolloutJob
from conductor.rollout.scoring import score_jobs
from conductor.sim.faults import FaultConfig
from conductor.workflow.conductor_prompt import PREFILL, RECURSION_PREFILL, build_messages, build_recursion_messages
from conductor.workflow.parse import parse_workflow
from conductor.workflow.schema import WorkflowError
from conductor.workflow.worker_prompt import PREVIOUS_OPEN

TASKS = arithmetic_tasks("rec", "Question {i}: what is {i} * 7?", lambda i: 7 * i, range(1, 7), source="rec")
CHAIN = 'model_id = [2, 3]\nsubtasks = ["Solve the problem.", "Check the answer above."]\naccess_list = [[], ["all"]]'
SOLO = 'model_id = [4]\nsubtasks = ["Solve the problem."]\naccess_list = [[]]'
IMPROVE = (
    "The previous answer may be wrong.\n"
    'model_id = [0, 1]\nsubtasks = ["Solve the problem.", "Verify all answers above."]\naccess_list = [[], ["all"]]'
)
ACCEPT = "The answer is fine.\nmodel_id = []\nsubtasks = []\naccess_list = []"
GARBAGE = "I would ask model two, then model three."
DISCOUNT = 0.3
ONE_TRY = {"retry": RetryPolicy(max_attempts=1, base_delay_s=0.01, max_delay_s=0.02)}


def make_cfg(**rollout) -> RunConfig:
    return RunConfig(
        sources=["rec"],
        policy=PolicyConfig(device="cpu", prompt_template="compact", max_new_tokens=16),
        rollout=RolloutConfig(recursion_rounds=1, **{"group_size": 3, "tasks_per_iteration": 2, **rollout}),
        train=TrainConfig(recursion_discount=DISCOUNT),
    )


@pytest.fixture(scope="module")
def sim():
    with serve(TASKS) as server:
        yield server


@pytest.fixture(scope="module")
def dead():
    """Every worker call fails (HTTP 500): a rollout that calls any worker here has an infrastructure fault."""
    with serve(TASKS, faults=FaultConfig(server_error=1.0)) as server:
        yield server


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    import torch

    from conductor.tiny.model import build_tiny_conductor

    torch.set_num_threads(2)
    pool = load_pool()
    corpus = []
    for t in TASKS:
        corpus += [m["content"] for m in build_messages(t.question, pool, template="compact")[0]]
        msgs, _ = build_recursion_messages(t.question, pool, PREFILL + CHAIN, "<answer>7</answer>", template="compact")
        corpus += [m["content"] for m in msgs]
    corpus += [CHAIN, SOLO, IMPROVE, ACCEPT, PREFILL, RECURSION_PREFILL]
    return build_tiny_conductor(tmp_path_factory.mktemp("rec-tiny"), corpus, seed=0, size="micro")


@pytest.fixture(scope="module")
def policy(tiny_dir):
    from conductor.policy.model import Policy

    return Policy.load(tiny_dir, make_cfg().policy)


def hand_jobs(policy, pool, cfg: RunConfig, texts: list[str], tasks=TASKS[:2], iteration: int = 1) -> list[RolloutJob]:
    """First-round jobs as `conductor_jobs` makes them, from given texts instead of sampled ones."""
    jobs = []
    for task in tasks:
        prompt = conductor_prompt(policy, task, pool, pool.ids, cfg)
        for k, text in enumerate(texts):
            try:
                wf, err = parse_workflow(text, pool_ids=set(pool.ids), max_steps=cfg.rollout.max_steps), None
            except WorkflowError as e:
                wf, err = None, e
            ids = policy.encode(text)
            jobs.append(
                RolloutJob(
                    task=task,
                    pool_ids=pool.ids,
                    policy="conductor",
                    group_id=f"{iteration}:{task.id}",
                    sample=k,
                    workflow=wf,
                    parse_error=err,
                    prompt=prompt,
                    completion=text,
                    completion_ids=ids,
                    logprobs=[-1.0] * len(ids),
                )
            )
    return jobs


def score(jobs, pool, cfg, **kw):
    return score_jobs(jobs, pool, cfg, run_id="rec", iteration=1, phase="train", seed=0, **kw)


def test_continuations_are_stored_in_the_groups_of_their_first_round(sim, policy, tiny_dir, tmp_path):
    from conductor.iteration.update import update_from_table
    from conductor.policy.model import Policy
    from conductor.store.rollouts import read_rollouts, write_rollouts
    from conductor.train.advantages import group_advantages

    cfg = make_cfg()
    jobs = hand_jobs(policy, sim.pool, cfg, [CHAIN, SOLO, GARBAGE])
    first = score(jobs, sim.pool, cfg)
    rows = add_recursion_round(policy, jobs, first, sim.pool, cfg, run_id="rec", iteration=1, seed=0)
    write_rollouts(rows, tmp_path, "rec", 1, "train")
    table = read_rollouts(tmp_path, "rec", 1, "train")
    stored = table.to_pylist()
    r0 = {(r["group_id"], r["sample"]): r for r in stored if r["round"] == 0}
    r1 = {(r["group_id"], r["sample"]): r for r in stored if r["round"] == 1}
    assert len(r0) == 6 and len(stored) == len(r0) + len(r1)
    valid = {key for key, r in r0.items() if r["workflow"] is not None}
    assert set(r1) == valid and len(valid) == 4  # the two GARBAGE rollouts are not continued
    by_job = {(j.group_id, j.sample): j for j in jobs}
    by_row = {(r.group_id, r.sample): r for r in first}
    for key, cont in r1.items():
        prev = r0[key]
        # what the Conductor was shown: its own plan as the earlier turn, the answer, the recursion prefill
        assert PREFILL + by_job[key].completion in cont["prompt"] and prev["answer"] in cont["prompt"]
        assert cont["prompt"].endswith(RECURSION_PREFILL) and cont["prompt"] != prev["prompt"]
        assert cont["prompt"] == recursion_prompt(policy, by_job[key], by_row[key], sim.pool, cfg)
        assert len(cont["completion_ids"]) == len(cont["logprobs"]) > 0  # sampled for real, ready for GRPO
        assert prev["first_round_reward"] is not None
        assert prev["reward"] == (1 - DISCOUNT) * prev["first_round_reward"] + DISCOUNT * cont["reward"]
    for key in set(r0) - valid:
        assert r0[key]["reward"] == 0.0 and r0[key]["first_round_reward"] is None
    # one group per task, spanning both rounds: the advantages are normalised over both together
    adv, stats = group_advantages([r["reward"] for r in stored], [r["group_id"] for r in stored])
    assert stats.n_groups == 2 and len(adv) == 10
    # and the update takes both rounds' rows (a fresh copy of the model: the fixture's stays untouched)
    metrics, _ = update_from_table(Policy.load(tiny_dir, cfg.policy), table, cfg.train)
    assert metrics["rows"] == len(stored) and metrics["groups"] == 2


def test_first_round_reward_is_the_discounted_mix_exactly(sim, policy):
    cfg = make_cfg()
    jobs = hand_jobs(policy, sim.pool, cfg, [CHAIN, SOLO], tasks=TASKS[:4])
    first = score(jobs, sim.pool, cfg)
    follow_ups = [IMPROVE, ACCEPT, SOLO, GARBAGE]
    prompts = [recursion_prompt(policy, j, r, sim.pool, cfg) for j, r in zip(jobs, first, strict=True)]
    cont = [
        continuation_job(j, r, cfg, prompt=p, completion=follow_ups[i % len(follow_ups)])
        for i, (j, r, p) in enumerate(zip(jobs, first, prompts, strict=True))
    ]
    second = score(cont, sim.pool, cfg)
    assert all(r.round == 1 and r.infra_fault is None for r in second)
    rewarded = apply_recursion_rewards(first, second, cfg.train)
    assert len({r.reward for r in second}) >= 2  # a mix of second-round outcomes, not one constant
    for before, after, nxt in zip(first, rewarded, second, strict=True):
        assert after.first_round_reward == before.reward and after.rollout_id == before.rollout_id
        assert after.reward == (1 - DISCOUNT) * before.reward + DISCOUNT * nxt.reward
    # an improving round's "all" step also saw the first round's steps; its [] step did not
    for before, nxt in zip(first, second, strict=True):
        if nxt.completion != IMPROVE:
            continue
        solve, verify = nxt.steps
        assert PREVIOUS_OPEN not in solve.messages[1]["content"]
        assert PREVIOUS_OPEN in verify.messages[1]["content"]
        for step in before.steps:
            assert step.output in verify.messages[1]["content"]


def test_accept_keeps_the_previous_answer_and_calls_no_worker(sim, dead, policy):
    cfg = make_cfg()
    jobs = hand_jobs(policy, sim.pool, cfg, [CHAIN, SOLO, CHAIN], tasks=TASKS[2:5])
    first = score(jobs, sim.pool, cfg)
    assert all(r.infra_fault is None and r.answer for r in first)
    texts = [ACCEPT if k != 2 else IMPROVE for k in range(3)] * 3
    # continued on a pool where every worker call fails: an accept must not notice, an improvement must
    cont = [continuation_job(j, r, cfg, prompt="p", completion=t) for j, r, t in zip(jobs, first, texts, strict=True)]
    assert [c.workflow.is_accept for c in cont] == [t == ACCEPT for t in texts]
    second = score(cont, dead.pool, cfg, client_kwargs=ONE_TRY)
    for before, nxt, text in zip(first, second, texts, strict=True):
        if text == ACCEPT:
            assert nxt.infra_fault is None and nxt.steps == [] and nxt.n_steps == 0 and nxt.cost_usd == 0.0
            assert nxt.answer == before.answer and nxt.correct == before.correct and nxt.reward == before.reward
            assert json.loads(nxt.workflow) == {"model_id": [], "subtasks": [], "access_list": []}
        else:
            assert nxt.infra_fault is not None and nxt.reward == 0.0
    # a continuation lost to the infrastructure leaves round 0 as it was ('drop'), or counts as 0 ('zero')
    dropped = apply_recursion_rewards(first, second, cfg.train)
    zeroed = apply_recursion_rewards(first, second, cfg.train.model_copy(update={"infra_fault_policy": "zero"}))
    for before, d, z, text in zip(first, dropped, zeroed, texts, strict=True):
        if text == ACCEPT:
            assert d.reward == pytest.approx(before.reward) and d.first_round_reward == before.reward
        else:
            assert d.reward == before.reward and d.first_round_reward is None
            assert z.reward == (1 - DISCOUNT) * before.reward + DISCOUNT * 0.0


def test_only_parsed_rollouts_that_ran_are_continued(sim, dead, policy):
    cfg = make_cfg()
    healthy = hand_jobs(policy, sim.pool, cfg, [CHAIN, GARBAGE, SOLO], tasks=TASKS[:1])
    faulty = hand_jobs(policy, sim.pool, cfg, [CHAIN], tasks=TASKS[1:2])
    jobs = healthy + faulty
    rows = score(healthy, sim.pool, cfg) + score(faulty, dead.pool, cfg, client_kwargs=ONE_TRY)
    assert [r.parse_error is None for r in rows] == [True, False, True, True]
    assert [r.infra_fault is None for r in rows] == [True, True, True, False]
    cont = continuation_jobs(policy, jobs, rows, sim.pool, cfg, iteration=1, seed=0)
    assert [(c.group_id, c.sample, c.round) for c in cont] == [("1:rec/1", 0, 1), ("1:rec/1", 2, 1)]
    assert all(c.earlier is not None and c.earlier.answer == rows[c.sample].answer and c.earlier.steps for c in cont)
    with pytest.raises(ValueError, match="does not match"):
        continuation_jobs(policy, jobs, rows[::-1], sim.pool, cfg, iteration=1, seed=0)


def test_rollout_step_continues_what_it_can_and_stores_both_rounds(sim, tiny_dir, tmp_path, monkeypatch):
    """The wiring in rollout_step. The untrained model rarely writes parseable lists, so whatever number of
    first-round rollouts parse is exactly the number of round-1 rows, each in its first round's group."""
    from conductor.iteration.context import IterationContext
    from conductor.iteration.steps import rollout_step
    from conductor.store.rollouts import read_rollouts
    from conductor.tasks.io import write_tasks

    home = tmp_path / "home"
    monkeypatch.setenv("CONDUCTOR_HOME", str(home))
    write_tasks(TASKS, home / "tasks" / "rec.parquet")
    pool_file = tmp_path / "pool.yaml"
    pool_file.write_text(yaml.safe_dump(sim.pool.model_dump(mode="json"), sort_keys=False))
    cfg = make_cfg(group_size=2)
    ctx = IterationContext(
        run_id="rec", iteration=1, config=cfg, home=home, pool_file=pool_file, checkpoint_in=tiny_dir
    )
    out = rollout_step(ctx)
    stored = read_rollouts(ctx.paths.rollouts, "rec", 1, "train").to_pylist()
    first = [r for r in stored if r["round"] == 0]
    second = [r for r in stored if r["round"] == 1]
    assert len(first) == 4 and out["rollouts"] == len(stored)
    continuable = {(r["group_id"], r["sample"]) for r in first if r["workflow"] and r["infra_fault"] is None}
    assert {(r["group_id"], r["sample"]) for r in second} == continuable
    assert out["recursion_continued"] == len(second)
