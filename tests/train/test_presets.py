"""Presets: tiny-cpu is the defaults; paper-7b carries the paper's recipe; both remain overridable."""

from __future__ import annotations

import pytest

from conductor.config import RunConfig, load_run_config
from conductor.train.presets import PRESETS, apply_preset


def test_tiny_cpu_is_the_defaults():
    assert apply_preset(None, "tiny-cpu") == RunConfig()


def test_paper_7b_recipe():
    cfg = apply_preset(RunConfig(name="paper"), "paper-7b")
    assert cfg.name == "paper"  # values outside the preset are kept
    p, t, r = cfg.policy, cfg.train, cfg.rollout
    assert p.base_model == "Qwen/Qwen2.5-7B-Instruct"
    assert (p.temperature, p.max_new_tokens, p.sft_steps) == (1.0, 1024, 0)
    assert (t.learning_rate, t.clip_epsilon, t.kl_beta, t.bf16) == (1e-6, 0.2, 0.0, True)
    assert (t.lr_schedule, t.warmup_ratio, t.schedule_steps) == ("cosine", 0.03, 200)
    assert (r.group_size, r.tasks_per_iteration, cfg.iterations) == (64, 4, 200)
    assert (t.mini_batch_size, t.epochs, t.loss_type) == (0, 1, "bnpo")  # one update per batch


def test_overrides_apply_after_a_preset(tmp_path):
    base = load_run_config(None, ["train.learning_rate=2e-6"])
    assert apply_preset(base, "paper-7b").train.learning_rate == 1e-6  # the preset wins over what it names
    cfg = apply_preset(None, "paper-7b").model_copy(update={"seed": 5})
    assert cfg.seed == 5 and cfg.train.learning_rate == 1e-6


def test_unknown_preset():
    with pytest.raises(ValueError, match="tiny-cpu"):
        apply_preset(None, "huge")
    assert set(PRESETS) == {"tiny-cpu", "paper-7b"}


def test_preset_named_in_a_config_file_or_on_the_command_line(tmp_path):
    f = tmp_path / "run.yaml"
    f.write_text("preset: paper-7b\niterations: 3\ntrain:\n  learning_rate: 3.0e-6\n")
    cfg = load_run_config(f, ["seed=9"])
    assert cfg.preset == "paper-7b"
    assert (cfg.iterations, cfg.train.learning_rate, cfg.seed) == (3, 3e-6, 9)  # the file and --set win
    assert (cfg.train.kl_beta, cfg.rollout.max_steps, cfg.rollout.group_size) == (0.0, 5, 64)  # the rest: the paper's
    cli = load_run_config(None, ["preset=paper-7b"])
    assert cli.policy.base_model == "Qwen/Qwen2.5-7B-Instruct" and cli.train.learning_rate == 1e-6
    assert load_run_config(None, ["preset=tiny-cpu"]).model_copy(update={"preset": None}) == RunConfig()
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        load_run_config(None, ["preset=huge"])
