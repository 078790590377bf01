"""Typed settings: where state lives, and what one run does.

Every field has help text; the CLI and docs read it from here. A run config loads from YAML or TOML and
takes `key.sub=value` overrides from the command line. Secrets are never settings: API keys come only from
the environment variables that a pool file names.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

PromptMode = Literal["ids", "descriptions"]


def default_home() -> Path:
    """All state under one project-local folder, so `conductor sql` from the project root finds the demo's data."""
    return Path(os.environ.get("CONDUCTOR_HOME", ".conductor")).resolve()


class Paths(BaseModel):
    """Where everything is stored. Derived from one home folder (CONDUCTOR_HOME, default ./.conductor)."""

    model_config = ConfigDict(frozen=True)

    home: Path = Field(default_factory=default_home)

    @property
    def tasks(self) -> Path:
        return self.home / "tasks"

    @property
    def rollouts(self) -> Path:
        return self.home / "rollouts"

    @property
    def checkpoints(self) -> Path:
        return self.home / "checkpoints"

    @property
    def runs(self) -> Path:
        """Per-run state: manifests of finished iterations (what resume reads)."""
        return self.home / "runs"

    @property
    def mlflow_db(self) -> Path:
        return self.home / "mlflow.db"

    @property
    def mlflow_uri(self) -> str:
        return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{self.mlflow_db}"

    @property
    def mlflow_artifacts(self) -> Path:
        return self.home / "mlartifacts"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"

    @property
    def cache(self) -> Path:
        return self.home / "cache"


class PolicyConfig(BaseModel):
    """The Conductor model."""

    base_model: str = Field(
        default="tiny",
        description="'tiny' builds a small local model with no download; otherwise any HF model id or local path "
        "(the paper: Qwen/Qwen2.5-7B-Instruct).",
    )
    device: str = Field(default="auto", description="'auto', 'cpu' or 'cuda'.")
    dtype: str = Field(default="auto", description="'auto' (bf16 on GPU, fp32 on CPU), 'bfloat16' or 'float32'.")
    prompt_mode: PromptMode = Field(
        default="ids", description="'ids' shows workers as ids only (the paper); 'descriptions' adds each description."
    )
    prompt_template: Literal["paper", "compact"] = Field(
        default="compact",
        description="'paper': the full prompt with few-shot examples; 'compact': a short prompt for the tiny model.",
    )
    max_new_tokens: int = Field(default=160, ge=8, description="Tokens the Conductor may write (paper: 1024).")
    question_chars: int = Field(
        default=120,
        ge=0,
        description="Show the Conductor only the head and tail of a longer question (0 = the whole question, as "
        "the paper). Ours, for the tiny CPU model whose cost grows with its prompt; workers always get it all.",
    )
    temperature: float = Field(default=1.0, ge=0, description="Sampling temperature in training (paper: 1.0).")
    eval_temperature: float = Field(default=0.2, ge=0, description="Sampling temperature in evaluation (paper: 0.2).")
    use_vllm: bool = Field(default=False, description="Generate with vLLM (GPU extra). Off: plain HF generate.")
    lora: bool = Field(default=False, description="Train LoRA adapters through peft instead of all weights.")
    sft_steps: int = Field(
        default=1500,
        ge=0,
        description="Supervised warm-start steps on valid workflows (tiny model; 0 for a real LLM). "
        "Long plans need them: after 600, 63-74% of 4-5 step plans had lists of different lengths, after 1500 22-30%.",
    )
    sft_learning_rate: float = Field(
        default=1e-3,
        gt=0,
        description="AdamW lr of the supervised warm start (3e-3 learns the format but not the ids).",
    )
    sft_id_weight: float = Field(
        default=10.0,
        ge=1.0,
        description="Loss weight of the worker-id tokens in the warm start: without it a tiny model learns the "
        "format but ignores which ids its prompt offers (docs/design.md).",
    )
    sft_same_worker: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Share of warm-start plans whose steps all go to one (uniformly drawn) worker, so longer plans "
        "inherit the worker GRPO learns to pick (docs/design.md).",
    )
    sft_thought: bool = Field(
        default=True,
        description="Warm-start targets open with one line naming the question's kind ('This is a math "
        "question.'); prefers no worker. Helps only with train.kl_beta > 0, which "
        "keeps the line right under RL (docs/design.md).",
    )
    sft_lead: bool = Field(
        default=True,
        description="With sft_thought, the line also names the worker wanted for the first step as one word of "
        "the question's kind ('... Lead: MathFour.'), drawn uniformly from every training worker, so GRPO moves each "
        "kind's choice on its own (docs/design.md).",
    )
    sft_batch_size: int = Field(default=16, ge=1, description="Examples per supervised warm-start step.")
    tiny_size: Literal["micro", "tiny", "small", "qwen-0.5b"] = Field(
        default="tiny",
        description="Shape of the locally built model when base_model is 'tiny' (policy/tiny.py); 'qwen-0.5b' is "
        "Qwen2.5-0.5B's shape, randomly initialised, for the GPU path where no hub is reachable.",
    )
    lora_r: int = Field(default=16, ge=1, description="LoRA rank (when lora is on).")
    lora_alpha: int = Field(default=32, ge=1, description="LoRA alpha (when lora is on).")

    @property
    def writes_lead(self) -> bool:
        """Whether warm-start targets (and so the tiny Conductor) name a lead worker in the thought line."""
        return self.sft_thought and self.sft_lead


class TrainConfig(BaseModel):
    """The GRPO update. Defaults are the tiny CPU preset; `preset: paper` sets the paper's 7B values."""

    learning_rate: float = Field(default=2e-4, gt=0, description="AdamW lr (tiny CPU preset; paper, 7B: 1e-6).")
    clip_epsilon: float = Field(default=0.2, gt=0, description="PPO-style ratio clip (paper: 0.2).")
    kl_beta: float = Field(
        default=0.05,
        ge=0,
        description="KL weight to the starting weights; the paper uses none (0). Tiny model: "
        "0.05 keeps the warm start's thought line right under RL (docs/design.md).",
    )
    max_grad_norm: float = Field(default=1.0, gt=0)
    weight_decay: float = Field(default=0.0, ge=0)
    epochs: int = Field(default=1, ge=1, description="Passes over an iteration's rollouts (paper: one update).")
    micro_batch_size: int = Field(default=16, ge=1, description="Rows per forward/backward pass (memory bound).")
    mini_batch_size: int = Field(
        default=32,
        ge=0,
        description="Rows per optimizer step; 0 = all of an iteration's rows in one step (the paper; paper-7b).",
    )
    loss_type: Literal["bnpo", "dapo"] = Field(
        default="bnpo", description="Token-level normalisation as TRL's loss of that name (paper's code: bnpo)."
    )
    lr_schedule: Literal["constant", "cosine"] = Field(
        default="constant", description="Learning-rate schedule over schedule_steps optimizer steps (paper: cosine)."
    )
    warmup_ratio: float = Field(
        default=0.0, ge=0, le=1, description="Linear warm-up share of schedule_steps (paper: 0.03)."
    )
    schedule_steps: int = Field(
        default=0, ge=0, description="Optimizer steps the schedule spans (the whole campaign); 0 = no decay."
    )
    bf16: bool = Field(default=False, description="bf16 autocast (GPU).")
    gradient_checkpointing: bool = Field(default=False)
    processes: int = Field(
        default=1,
        ge=1,
        description="Processes for the update, one per GPU, started by `accelerate launch --multi_gpu` (data "
        "parallel: each runs a share of every step's micro-batches, gradients summed). Without GPUs they run "
        "on the CPU with gloo.",
    )
    cost_weight: float = Field(default=0.0, ge=0, description="Optional reward penalty per USD spent (paper: 0).")
    recursion_discount: float = Field(
        default=0.25, ge=0, le=1, description="Weight of the second round in the first round's reward (paper: 0.25)."
    )
    infra_fault_policy: Literal["drop", "zero"] = Field(
        default="drop",
        description="Rollouts with a worker fault after retries: 'drop' keeps them out of the update (recorded); "
        "'zero' scores them 0 as the authors' code does.",
    )


class RolloutConfig(BaseModel):
    tasks_per_iteration: int = Field(default=16, ge=1, description="Tasks drawn per iteration (paper: 4 per step).")
    group_size: int = Field(default=8, ge=2, description="Workflows sampled per task: the GRPO group (paper: 64).")
    pool_min: int = Field(default=0, ge=0, description="Smallest random pool; 0 = always the full pool.")
    pool_max: int = Field(default=0, ge=0, description="Largest random pool; 0 = the full pool size.")
    train_workers: list[int] | None = Field(
        default=None,
        description="Workers that training pools may draw from (None = all). Leave one out to test the Conductor on "
        "a worker it never saw in training (descriptions mode).",
    )
    recursion_rounds: int = Field(default=0, ge=0, description="Extra rounds the Conductor may take on its answer.")
    max_steps: int = Field(
        default=3,
        ge=1,
        le=5,
        description="Step limit per workflow (paper: 5). Tiny model: 3, since its 4-5 step "
        "lists often disagree in length (docs/design.md).",
    )


class EvalConfig(BaseModel):
    tasks: int = Field(default=48, ge=1, description="Held-out tasks evaluated per iteration.")
    baselines: bool = Field(default=True, description="Also evaluate each single worker and report the oracle.")
    every: int = Field(default=1, ge=1, description="Evaluate every N iterations (and always the last one).")


class RunConfig(BaseModel):
    """One run (campaign) of N iterations."""

    model_config = ConfigDict(extra="forbid")

    preset: str | None = Field(
        default=None,
        description="Named recipe laid under the rest of the config: 'tiny-cpu' (the defaults) or 'paper-7b' (the "
        "paper's: Qwen2.5-7B, lr 1e-6, no KL, 5 steps, ...). Applied by config files and --set alike.",
    )
    name: str = Field(default="demo", description="Run name, also the MLflow experiment.")
    seed: int = Field(default=0, description="Seeds task draws, pools, sampling and the simulated pool.")
    iterations: int = Field(default=20, ge=1, description="RL iterations (each its own MLflow run / flow run).")
    pool_file: str | None = Field(default=None, description="Pool YAML; empty = the shipped SIMULATED pool.")
    sources: list[str] = Field(
        default_factory=lambda: ["humaneval", "mmlu", "jee-math"], description="Task sources to prepare and use."
    )
    budget_usd: float | None = Field(
        default=None, ge=0, description="Stop starting new rollouts once the run's worker calls cost this much (USD)."
    )
    budget_calls: int | None = Field(
        default=None, ge=0, description="Stop starting new rollouts once the run has made this many worker calls."
    )
    cache: bool = Field(
        default=False,
        description="Cache worker calls on disk, keyed by model, messages, sampling parameters and seed, so "
        "re-running an evaluation costs nothing (hits are recorded per step).",
    )
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    rollout: RolloutConfig = Field(default_factory=RolloutConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    cur = data
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value


def load_run_config(path: str | Path | None = None, overrides: list[str] | None = None) -> RunConfig:
    """YAML or TOML file (optional) plus `a.b=value` overrides; values are parsed as YAML scalars."""
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        text = p.read_text()
        data = tomllib.loads(text) if p.suffix == ".toml" else (yaml.safe_load(text) or {})
    for item in overrides or []:
        if "=" not in item:
            raise ValueError(f"override {item!r} is not key=value")
        k, v = item.split("=", 1)
        _set_dotted(data, k.strip(), yaml.safe_load(v))
    preset = data.get("preset")
    if preset is not None:
        from conductor.train.presets import merge, preset_values

        data = merge(preset_values(preset), data)  # the file and --set win over the preset
    return RunConfig.model_validate(data)


def config_reference() -> str:
    """Markdown reference of every run-config field, generated from the models' help text (docs/configuration.md)."""
    lines = [
        "# Run configuration",
        "",
        "Generated by `python -m conductor.config` from the field help in `conductor/config.py`. A run config is",
        "YAML or TOML with these sections; any field can be overridden with `--set section.field=value`.",
        "",
    ]

    def section(title: str, model: type[BaseModel], prefix: str) -> None:
        lines.extend([f"## {title}", "", "| field | default | meaning |", "|---|---|---|"])
        for name, f in model.model_fields.items():
            if isinstance(f.default, BaseModel) or (
                f.default_factory is not None and name in ("policy", "rollout", "train", "eval")
            ):
                continue
            default = f.default if f.default_factory is None else f.default_factory()
            desc = (f.description or "").replace("|", "\\|")
            lines.append(f"| `{prefix}{name}` | `{default!r}` | {desc} |")
        lines.append("")

    section("Top level", RunConfig, "")
    section("policy", PolicyConfig, "policy.")
    section("rollout", RolloutConfig, "rollout.")
    section("train", TrainConfig, "train.")
    section("eval", EvalConfig, "eval.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(config_reference())
