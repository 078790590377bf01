"""The cached warm start is reused only by runs whose warm-start data would be the same."""

from __future__ import annotations

from conductor.config import load_run_config
from conductor.pool.spec import load_pool
from conductor.tiny.bootstrap import checkpoint_key
from conductor.tiny.examples import example_count


def test_the_warm_start_key_follows_the_pools_its_prompts_show():
    pool = load_pool(None)
    base = checkpoint_key(load_run_config(None, []), pool)
    assert (
        checkpoint_key(load_run_config(None, ["name=other", "iterations=3", "train.learning_rate=1e-3"]), pool) == base
    )
    for change in (
        ["rollout.pool_min=2", "rollout.pool_max=4"],
        ["rollout.train_workers=[0,1,2,3]"],
        ["tiny.sft_steps=10"],
        ["rollout.max_steps=5"],
        ["seed=1"],
    ):
        assert checkpoint_key(load_run_config(None, change), pool) != base, change


def test_the_warm_start_sees_each_example_about_once():
    """A fixed small set, repeated for many epochs, let the tiny model memorise each question's random ids."""
    tiny = load_run_config(None, []).tiny
    assert tiny is not None
    assert example_count(tiny) >= tiny.sft_steps * tiny.sft_batch_size
    short = load_run_config(None, ["tiny.sft_steps=10"]).tiny
    assert short is not None and example_count(short) == 2000  # the tokenizer's corpus
