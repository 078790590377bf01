"""Training on synthetic workers (docs/simulator.md, "Training on synthetic workers"): the held-out workers of
the shipped synthetic pool are never offered in training, neither in the rollouts' prompts and pools nor in
the tiny recipe's warm-start examples, and the descriptions the Conductor reads are the generator's."""

from __future__ import annotations

import random
import re

import pytest
from sim_support import arithmetic_tasks

from conductor.config import RunConfig, load_run_config
from conductor.errors import ConfigError
from conductor.iteration.steps import evaluation_pool
from conductor.pool.spec import PoolSpec, load_pool
from conductor.rollout.conductor_plans import conductor_jobs
from conductor.sim.generator import (
    HELD_OUT_WORKERS,
    SYNTHETIC_POOL_FILE,
    SYNTHETIC_SEED,
    SYNTHETIC_SIZE,
    TRAIN_WORKERS,
    describe_worker,
    draw_pool,
    synthetic_recipe,
    write_pool_file,
)
from conductor.tiny.examples import warm_start_samples

MODEL_LINE = re.compile(r"^Model id (\d+): (.*?)(?:<\|im_end\|>)?$", re.MULTILINE)  # the chat template may end a line


@pytest.fixture(scope="module")
def synth() -> PoolSpec:
    return load_pool(SYNTHETIC_POOL_FILE)


@pytest.fixture(scope="module")
def cfg() -> RunConfig:
    return load_run_config(
        None, [*synthetic_recipe(), "rollout.pool_min=2", "rollout.pool_max=4", "policy.max_new_tokens=8"]
    )


def offered(prompt: str, pool: PoolSpec) -> dict[int, str]:
    """The workers a prompt shows, with the description it shows for each; each must be the generator's."""
    shown = {int(i): d.strip() for i, d in MODEL_LINE.findall(prompt)}
    for i, d in shown.items():
        w = pool.worker(i)
        assert w.sim is not None
        assert d == describe_worker(w.sim, w.price_out), (i, d)
    return shown


def test_the_shipped_pool_is_the_generators_and_splits_its_workers(synth: PoolSpec, tmp_path) -> None:
    assert synth.model_dump() == draw_pool(SYNTHETIC_SEED, SYNTHETIC_SIZE).model_dump()
    again = tmp_path / "pool.yaml"
    write_pool_file(again)
    assert load_pool(again) == synth
    assert set(TRAIN_WORKERS) | set(HELD_OUT_WORKERS) == set(synth.ids)
    assert not set(TRAIN_WORKERS) & set(HELD_OUT_WORKERS)
    for w in synth.workers:  # the description is the profile's, in words (what the prompt will show)
        assert w.sim is not None and w.description == describe_worker(w.sim, w.price_out)


def test_rollouts_never_offer_a_held_out_worker(policy, synth: PoolSpec, cfg: RunConfig) -> None:
    tasks = arithmetic_tasks("synth", "What is {i} + 1?", lambda i: i + 1, range(6))
    seen: set[int] = set()
    for iteration in range(1, 4):
        jobs = conductor_jobs(
            policy, tasks, synth, cfg, iteration=iteration, samples=1, temperature=1.0, seed=0, randomize_pool=True
        )
        for j in jobs:
            shown = offered(j.prompt, synth)
            assert set(shown) == set(j.pool_ids)
            assert not set(j.pool_ids) & set(HELD_OUT_WORKERS)
            assert 2 <= len(j.pool_ids) <= 4
            seen |= set(j.pool_ids)
    assert len(seen) >= 8  # 18 draws of 2-4: the draws do range over the training workers
    # the evaluation's pool, by contrast, is the held-out workers alone, each with its generated description
    evaluated = synth.subset(cfg.eval.workers or [])
    jobs = conductor_jobs(
        policy, tasks[:1], evaluated, cfg, iteration=1, samples=1, temperature=0.2, seed=1, randomize_pool=False
    )
    assert set(offered(jobs[0].prompt, synth)) == set(HELD_OUT_WORKERS)


def test_warm_start_examples_never_show_a_held_out_worker(synth: PoolSpec, cfg: RunConfig) -> None:
    tasks = arithmetic_tasks("warm", "What is {i} * 2?", lambda i: i * 2, range(10))
    assert cfg.tiny is not None
    samples = warm_start_samples(cfg, cfg.tiny, tasks, synth, 300, random.Random(0))
    for messages, _, target in samples:
        shown = offered("\n".join(m["content"] for m in messages), synth)
        assert shown and not set(shown) & set(HELD_OUT_WORKERS)
        lead = re.search(r"Lead: [A-Z][a-z]+(\w+)\.", target)
        assert lead is not None and lead.group(1) not in {"12", "13", "14", "15"}


def test_the_evaluation_offers_eval_workers_and_refuses_unknown_ones(synth: PoolSpec, cfg: RunConfig) -> None:
    assert evaluation_pool(synth, cfg.eval.workers).ids == HELD_OUT_WORKERS
    assert evaluation_pool(synth, None) is synth
    with pytest.raises(ConfigError, match="no worker"):
        evaluation_pool(synth, [3, 99])
