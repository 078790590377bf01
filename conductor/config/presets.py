"""Named recipes as plain data: `tiny-cpu` (the defaults, tuned for a 2-core CPU) and `paper-7b`.

A preset is a nested dict laid *under* a run config: `preset: paper-7b` in a config file, `--set
preset=paper-7b` on the command line, `{"preset": "paper-7b"}` as a Prefect parameter or
`RunConfig(preset="paper-7b")` from Python, and every value given beside it still wins. One place applies it
for all of them: `RunConfig`'s validator (conductor/config/settings.py). This module imports nothing from the
project, so anything may read the recipes.

paper-7b is the paper's recipe (section 6; docs/design.md lists every value the paper fixes): Qwen2.5-7B-
Instruct (the authors' code; the paper says the base model), 200 GRPO steps of 4 tasks x 64 rollouts,
temperature 1.0, 1024 new tokens, AdamW lr 1e-6 with cosine decay and 3% warm-up, clip 0.2, no KL, bf16,
grad clip 1.0, weight decay 0, one update per batch (bnpo), 5 steps per workflow, the whole question, and no
tiny recipe (`tiny: null`: no warm start, no thought line, no cropping). Gradient checkpointing and
micro-batches of 4 are ours: they fit the update on one 80 GB GPU.
"""

from __future__ import annotations

from typing import Any

TINY_BASE_MODEL = "tiny"  # policy.base_model that builds the tiny Conductor locally (conductor.tiny)

TINY_CPU: dict[str, Any] = {
    "policy": {
        "base_model": TINY_BASE_MODEL,
        "prompt_template": "compact",
        "max_new_tokens": 160,
        "temperature": 1.0,
        "eval_temperature": 0.2,
        "lora": False,
    },
    "tiny": {
        "size": "tiny",
        "question_chars": 120,
        "sft_steps": 1500,
        "sft_learning_rate": 1e-3,
        "sft_id_weight": 10.0,
        "sft_batch_size": 16,
        "sft_same_worker": 0.5,
        "thought": True,
        "lead": True,
    },
    "rollout": {"max_steps": 3},
    "train": {
        "learning_rate": 2e-4,
        "clip_epsilon": 0.2,
        "kl_beta": 0.05,
        "loss_type": "bnpo",
        "lr_schedule": "constant",
        "warmup_ratio": 0.0,
        "micro_batch_size": 16,
        "mini_batch_size": 32,
        "bf16": False,
        "gradient_checkpointing": False,
    },
}

PAPER_7B: dict[str, Any] = {
    "iterations": 200,
    "policy": {
        "base_model": "Qwen/Qwen2.5-7B-Instruct",
        "prompt_template": "paper",
        "max_new_tokens": 1024,
        "temperature": 1.0,
        "eval_temperature": 0.2,
        "device": "auto",
        "dtype": "bfloat16",
        "lora": False,
    },
    "tiny": None,
    "rollout": {"tasks_per_iteration": 4, "group_size": 64, "max_steps": 5},
    "train": {
        "learning_rate": 1e-6,
        "clip_epsilon": 0.2,
        "kl_beta": 0.0,
        "max_grad_norm": 1.0,
        "weight_decay": 0.0,
        "epochs": 1,
        "mini_batch_size": 0,
        "micro_batch_size": 4,
        "loss_type": "bnpo",
        "lr_schedule": "cosine",
        "warmup_ratio": 0.03,
        "schedule_steps": 200,
        "bf16": True,
        "gradient_checkpointing": True,
        "recursion_discount": 0.25,
    },
}

PRESETS: dict[str, dict[str, Any]] = {"tiny-cpu": TINY_CPU, "paper-7b": PAPER_7B}


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` laid over `base`, section by section (a value of `over` wins; dicts merge key by key)."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def preset_values(name: str) -> dict[str, Any]:
    """The nested values of a named preset; a clear error for an unknown name."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[name]
