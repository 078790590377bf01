"""Presets: every field the paper fixes, the value each preset yields (docs/design.md's table says the same), and
one way of applying a preset whatever the entry: a config file, --set, a Prefect parameter, Python."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conductor.config import PRESETS, RunConfig, load_run_config
from conductor.config.presets import PAPER_7B, TINY_CPU
from conductor.errors import ConfigError
from conductor_flows.campaign import run_config

DESIGN = Path(__file__).resolve().parents[2] / "docs" / "design.md"

# field -> (the paper's value, which paper-7b must give; tiny-cpu's value). From the paper's section 6
# (arXiv 2512.04388) and the authors' code, as docs/design.md tabulates them.
FIXED: dict[str, tuple[Any, Any]] = {
    "policy.base_model": ("Qwen/Qwen2.5-7B-Instruct", "tiny"),
    "policy.prompt_template": ("paper", "compact"),
    "policy.prompt_mode": ("ids", "ids"),
    "policy.temperature": (1.0, 1.0),
    "policy.eval_temperature": (0.2, 0.2),
    "policy.max_new_tokens": (1024, 160),
    "iterations": (200, 20),
    "rollout.tasks_per_iteration": (4, 16),
    "rollout.group_size": (64, 8),
    "rollout.max_steps": (5, 3),
    "train.learning_rate": (1e-6, 2e-4),
    "train.lr_schedule": ("cosine", "constant"),
    "train.warmup_ratio": (0.03, 0.0),
    "train.schedule_steps": (200, 0),
    "train.clip_epsilon": (0.2, 0.2),
    "train.kl_beta": (0.0, 0.05),
    "train.weight_decay": (0.0, 0.0),
    "train.max_grad_norm": (1.0, 1.0),
    "train.bf16": (True, False),
    "train.epochs": (1, 1),
    "train.mini_batch_size": (0, 32),
    "train.loss_type": ("bnpo", "bnpo"),
    "train.recursion_discount": (0.25, 0.25),
    "train.cost_weight": (0.0, 0.0),
}


def value(cfg: RunConfig, field: str) -> Any:
    out: Any = cfg
    for part in field.split("."):
        out = getattr(out, part)
    return out


@pytest.mark.parametrize("field", sorted(FIXED))
def test_each_preset_gives_each_field_the_paper_fixes(field):
    paper, tiny = FIXED[field]
    assert value(RunConfig(preset="paper-7b"), field) == paper
    assert value(RunConfig(preset="tiny-cpu"), field) == tiny
    assert value(RunConfig(), field) == tiny  # the defaults are tiny-cpu


def test_paper_7b_shows_the_whole_question_and_nothing_of_the_tiny_recipe():
    cfg = RunConfig(preset="paper-7b")
    assert cfg.tiny is None
    dumped = cfg.model_dump(mode="json")
    assert dumped["tiny"] is None
    assert not any(k.startswith("sft") or k in ("question_chars", "tiny_size") for k in dumped["policy"])
    from conductor.workflow.conductor_prompt import PromptSettings

    assert PromptSettings.from_config(cfg).question_chars == 0
    assert PromptSettings.from_config(RunConfig()).question_chars == 120  # the tiny recipe crops


def test_design_md_lists_every_fixed_field_with_the_paper_value():
    rows = {}
    for line in DESIGN.read_text().splitlines():
        m = re.match(r"^\| `([a-z0-9_.]+)` \| `([^`]+)`[^|]* \| [^|]+ \| `([^`]+)` \|", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    for field, (paper, _) in FIXED.items():
        text = "true" if paper is True else "false" if paper is False else str(paper)
        assert rows.get(field) == (text, text), f"docs/design.md's table: {field}"
    assert "tiny" in rows or "| `tiny` |" in DESIGN.read_text()


def test_tiny_cpu_is_the_defaults():
    assert RunConfig(preset="tiny-cpu").model_copy(update={"preset": None}) == RunConfig()


def test_what_is_given_beside_a_preset_wins(tmp_path):
    cfg = RunConfig(preset="paper-7b", name="paper", train={"learning_rate": 2e-6})
    assert (cfg.name, cfg.train.learning_rate, cfg.train.kl_beta) == ("paper", 2e-6, 0.0)
    # a section given as a model counts only with the fields it set: the preset fills the rest
    from conductor.config import PolicyConfig

    cfg = RunConfig(preset="paper-7b", policy=PolicyConfig(device="cpu"))
    assert (cfg.policy.device, cfg.policy.base_model, cfg.policy.max_new_tokens) == (
        "cpu",
        PAPER_7B["policy"]["base_model"],
        1024,
    )


def test_a_config_file_set_a_flow_parameter_and_python_apply_presets_alike(tmp_path):
    f = tmp_path / "run.yaml"
    f.write_text("preset: paper-7b\niterations: 3\ntrain:\n  learning_rate: 3.0e-6\n")
    from_file = load_run_config(f)
    from_set = load_run_config(None, ["preset=paper-7b", "iterations=3", "train.learning_rate=3e-6"])
    from_flow = run_config({"preset": "paper-7b", "iterations": 3, "train": {"learning_rate": 3e-6}})
    from_python = RunConfig(preset="paper-7b", iterations=3, train={"learning_rate": 3e-6})
    assert from_file == from_set == from_flow == from_python
    assert (from_file.iterations, from_file.train.learning_rate, from_file.rollout.group_size) == (3, 3e-6, 64)
    assert from_file.tiny is None and from_file.policy.base_model == "Qwen/Qwen2.5-7B-Instruct"
    assert run_config({"preset": "paper-7b"}) == RunConfig(preset="paper-7b")  # was silently ignored by the flow


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_a_stored_config_validates_to_itself(name):
    """Resume re-validates the manifest's config: laying the preset again changes nothing."""
    cfg = RunConfig(preset=name, seed=3, rollout={"pool_min": 2, "pool_max": 4})
    assert RunConfig.model_validate(cfg.model_dump(mode="json")) == cfg
    assert RunConfig.model_validate(cfg.model_dump()) == cfg


def test_the_tiny_section_follows_the_base_model():
    assert RunConfig().tiny is not None
    assert RunConfig(policy={"base_model": "Qwen/Qwen2.5-0.5B-Instruct"}).tiny is None
    # a checkpoint the tiny recipe trained keeps its settings when they are given
    kept = load_run_config(None, ["policy.base_model=/runs/x/iter-3", "tiny.question_chars=120"])
    assert kept.tiny is not None and kept.tiny.question_chars == 120
    with pytest.raises(ConfigError, match="tiny"):
        load_run_config(None, ["tiny=null"])


def test_moved_and_unknown_settings_are_errors_not_silently_dropped():
    with pytest.raises(ConfigError, match="policy.sft_steps is now tiny.sft_steps"):
        load_run_config(None, ["policy.sft_steps=10"])
    with pytest.raises(ConfigError, match="policy.no_such_field"):
        load_run_config(None, ["policy.no_such_field=1"])
    with pytest.raises(ConfigError, match="unknown preset 'huge'"):
        load_run_config(None, ["preset=huge"])
    with pytest.raises(ConfigError, match="unknown preset 'huge'"):
        run_config({"preset": "huge"})


def test_presets_are_plain_data():
    assert set(PRESETS) == {"tiny-cpu", "paper-7b"}
    assert TINY_CPU["policy"]["base_model"] == "tiny" and PAPER_7B["tiny"] is None
