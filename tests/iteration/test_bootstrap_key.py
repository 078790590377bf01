"""The cached warm start is reused only by runs whose warm-start data would be the same."""

from __future__ import annotations

from conductor.config import load_run_config
from conductor.iteration.bootstrap import _key, warm_start_examples
from conductor.pool.spec import load_pool


def test_the_warm_start_key_follows_the_pools_its_prompts_show():
    pool = load_pool(None)
    base = _key(load_run_config(None, []), pool)
    assert _key(load_run_config(None, ["name=other", "iterations=3", "train.learning_rate=1e-3"]), pool) == base
    for change in (
        ["rollout.pool_min=2", "rollout.pool_max=4"],
        ["rollout.train_workers=[0,1,2,3]"],
        ["policy.sft_steps=10"],
        ["rollout.max_steps=5"],
        ["seed=1"],
    ):
        assert _key(load_run_config(None, change), pool) != base, change


def test_the_warm_start_sees_each_example_about_once():
    """A fixed small set, repeated for many epochs, let the tiny model memorise each question's random ids."""
    cfg = load_run_config(None, [])
    assert warm_start_examples(cfg) >= cfg.policy.sft_steps * cfg.policy.sft_batch_size
    assert warm_start_examples(load_run_config(None, ["policy.sft_steps=10"])) == 2000  # the tokenizer's corpus
