"""Typed settings of one run: the general sections any base model needs (policy, rollout, train, eval) and
the tiny recipe's own section (`tiny`), which is present only for the tiny CPU Conductor.

Every field has help text; the CLI and docs/configuration.md read it from here. Presets are applied in one
place, `RunConfig`'s validator, so a config file, `--set`, a Prefect parameter and `RunConfig(...)` from
Python all lay a named preset under what they give. Secrets are never settings: API keys come only from the
environment variables that a pool file names.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from conductor.config.presets import TINY_BASE_MODEL, merge, preset_values

PromptMode = Literal["ids", "descriptions"]
FAULT_ALIASES = {"429": "rate_limit", "500": "server_error"}  # the HTTP codes users know two faults by
TinySize = Literal["micro", "tiny", "small", "qwen-0.5b"]


class Section(BaseModel):
    """A config section: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PolicyConfig(Section):
    """The Conductor model, whatever it is: which weights, where, and how it is prompted and sampled."""

    base_model: str = Field(
        default=TINY_BASE_MODEL,
        description="'tiny' builds a small local model with no download (the tiny recipe, section `tiny`); "
        "otherwise any HF model id or local path (the paper: Qwen/Qwen2.5-7B-Instruct).",
    )
    device: str = Field(default="auto", description="'auto', 'cpu' or 'cuda'.")
    dtype: str = Field(default="auto", description="'auto' (bf16 on GPU, fp32 on CPU), 'bfloat16' or 'float32'.")
    prompt_mode: PromptMode = Field(
        default="ids", description="'ids' shows workers as ids only (the paper); 'descriptions' adds each description."
    )
    prompt_template: Literal["paper", "compact"] = Field(
        default="compact",
        description="'paper': the full prompt with few-shot examples; 'compact': the same contract in a few lines, "
        "for a small model (the tiny recipe's choice).",
    )
    max_new_tokens: int = Field(default=160, ge=8, description="Tokens the Conductor may write (paper: 1024).")
    temperature: float = Field(default=1.0, ge=0, description="Sampling temperature in training (paper: 1.0).")
    eval_temperature: float = Field(default=0.2, ge=0, description="Sampling temperature in evaluation (paper: 0.2).")
    use_vllm: bool = Field(default=False, description="Generate with vLLM (GPU extra). Off: plain HF generate.")
    vllm_gpu_memory: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description="Share of the GPU's memory vLLM takes (weights + KV cache) when use_vllm is on; the update "
        "(model, optimizer state, activations) must fit in the rest. 0.3 of 80 GB leaves 56 GB: paper-7b's "
        "update with gradient checkpointing, or LoRA. vLLM's own default (0.9) leaves the update nothing.",
    )
    lora: bool = Field(default=False, description="Train LoRA adapters through peft instead of all weights.")
    lora_r: int = Field(default=16, ge=1, description="LoRA rank (when lora is on).")
    lora_alpha: int = Field(default=32, ge=1, description="LoRA alpha (when lora is on).")


class TinyConfig(Section):
    """The tiny recipe: what only the tiny CPU Conductor needs to learn (conductor/tiny/). Present by default
    when `policy.base_model` is 'tiny'; absent (null) for any real base model, which reads the whole question
    and needs no warm start. Give it explicitly for a checkpoint the tiny recipe trained (a folder), so the
    Conductor keeps being shown what it was trained on."""

    size: TinySize = Field(
        default="tiny",
        description="Shape of the locally built model (conductor/tiny/model.py); 'qwen-0.5b' is Qwen2.5-0.5B's "
        "shape, randomly initialised, for the GPU path where no hub is reachable.",
    )
    question_chars: int = Field(
        default=120,
        ge=0,
        description="Show the Conductor only the head and tail of a longer question (0 = the whole question). "
        "The tiny model's cost grows with its prompt; workers always get the whole question.",
    )
    sft_steps: int = Field(
        default=1500,
        ge=0,
        description="Supervised warm-start steps on valid workflows. Long plans need them: after 600, 63-74% of "
        "4-5 step plans had lists of different lengths, after 1500 22-30%.",
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
    sft_batch_size: int = Field(default=16, ge=1, description="Examples per supervised warm-start step.")
    thought: bool = Field(
        default=True,
        description="Warm-start targets open with one line naming the question's kind ('This is a math "
        "question.'); prefers no worker. Helps only with train.kl_beta > 0, which keeps the line right under "
        "RL (docs/design.md).",
    )
    lead: bool = Field(
        default=True,
        description="With `thought`, the line also names the worker wanted for the first step as one word of "
        "the question's kind ('... Lead: MathFour.'), drawn uniformly from every training worker, so GRPO moves "
        "each kind's choice on its own (docs/design.md).",
    )

    @property
    def writes_lead(self) -> bool:
        """Whether warm-start targets (and so the tiny Conductor) name a lead worker in the thought line."""
        return self.thought and self.lead


class TrainConfig(Section):
    """The GRPO update. Defaults are the tiny CPU preset; `preset: paper-7b` sets the paper's 7B values."""

    learning_rate: float = Field(default=2e-4, gt=0, description="AdamW lr (tiny CPU preset; paper, 7B: 1e-6).")
    clip_epsilon: float = Field(default=0.2, gt=0, description="PPO-style ratio clip (paper: 0.2).")
    kl_beta: float = Field(
        default=0.05,
        ge=0,
        description="KL weight to the starting weights; the paper uses none (0). Tiny model: "
        "0.05 keeps the warm start's thought line right under RL (docs/design.md).",
    )
    max_grad_norm: float = Field(default=1.0, gt=0, description="Gradient clip (paper's code: 1.0).")
    weight_decay: float = Field(default=0.0, ge=0, description="AdamW weight decay (paper's code: 0).")
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
    gradient_checkpointing: bool = Field(default=False, description="Recompute activations in the update (GPU).")
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


class RolloutConfig(Section):
    """How rollouts are drawn: tasks and samples per iteration, the pools offered, the step limit."""

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
    avoid_tasks_of: list[str] = Field(
        default_factory=list,
        description="Run ids whose training tasks this run skips while it has others left (a retrain lists the "
        "runs it continues, so it trains on tasks not yet used where possible).",
    )
    max_steps: int = Field(
        default=3,
        ge=1,
        le=5,
        description="Step limit per workflow (paper: 5). Tiny model: 3, since its 4-5 step "
        "lists often disagree in length (docs/design.md).",
    )


class EvalConfig(Section):
    """The evaluation after each iteration's update."""

    tasks: int = Field(default=48, ge=1, description="Held-out tasks evaluated per iteration.")
    baselines: bool = Field(default=True, description="Also evaluate each single worker and report the oracle.")
    every: int = Field(default=1, ge=1, description="Evaluate every N iterations (and always the last one).")
    methods: list[str] = Field(
        default_factory=lambda: ["conductor", "single", "random", "oracle"],
        description="Methods each iteration evaluates (with `baselines`; names as `conductor eval --methods`: "
        "conductor, single[:id], reflect[:id], consensus[:id], vote, moa, random, oracle, all). The cheap set by "
        "default; `conductor eval` runs all of them.",
    )
    conductor_usd_per_million_tokens: float = Field(
        default=0.0,
        ge=0,
        description="What the Conductor's own tokens (prompt and completion, every round) cost, USD per million. "
        "0 by default (a local model, not billed); set it to price orchestration beside the workers' cost.",
    )
    workers: list[int] | None = Field(
        default=None,
        description="Workers each iteration's evaluation offers (None = the whole pool). With "
        "`rollout.train_workers` naming the others, the Conductor is evaluated on workers never drawn in training "
        "(the synthetic-workers testbed, docs/simulator.md).",
    )
    registered_model: str = Field(
        default="conductor",
        description="MLflow registered model the campaign's final checkpoint becomes a version of "
        "(`models:/<name>@champion` after `conductor eval --promote`).",
    )
    seed: int | None = Field(
        default=None,
        description="Seeds the draw of the held-out tasks; blank = the run's seed. A retrain keeps the seed of "
        "the run it continues, so its figures compare with that run's on the same tasks.",
    )


class DistributedConfig(Section):
    """Where rollouts are executed and scored: in this process (the default), or spread over a Dask cluster."""

    backend: Literal["local", "dask"] = Field(
        default="local",
        description="'local': this process. 'dask': the rollout step's batches run on a Dask cluster (the "
        "`distributed` package), each worker writing its own Parquet part; the rows are the same as local.",
    )
    address: str | None = Field(
        default=None,
        description="Scheduler of the Dask cluster (tcp://host:8786). Blank with backend 'dask': a local "
        "cluster of `workers` processes is started for the run.",
    )
    workers: int = Field(default=2, ge=1, description="Processes of the local cluster started when no address.")
    parts: int = Field(
        default=0,
        ge=0,
        description="Batches (and Parquet parts) the rollouts are split into; 0 = one per cluster worker.",
    )


SECTIONS: dict[str, type[Section]] = {
    "policy": PolicyConfig,
    "tiny": TinyConfig,
    "rollout": RolloutConfig,
    "train": TrainConfig,
    "eval": EvalConfig,
    "distributed": DistributedConfig,
}

# Settings that moved to the tiny recipe's section: a config that still names them gets a pointer, not a bare
# "extra field" error.
MOVED_TO_TINY = {
    "tiny_size": "size",
    "question_chars": "question_chars",
    "sft_steps": "sft_steps",
    "sft_learning_rate": "sft_learning_rate",
    "sft_id_weight": "sft_id_weight",
    "sft_same_worker": "sft_same_worker",
    "sft_batch_size": "sft_batch_size",
    "sft_thought": "thought",
    "sft_lead": "lead",
}


def _given(value: Any) -> Any:
    """What a caller gave, as plain data: a section passed as a model counts only with the fields it set, so a
    preset still fills the rest (RunConfig(policy=PolicyConfig(device='cpu'), preset='paper-7b'))."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True)
    return value


class RunConfig(BaseModel):
    """One run (campaign) of N iterations."""

    model_config = ConfigDict(extra="forbid")

    preset: str | None = Field(
        default=None,
        description="Named recipe laid under the rest of the config: 'tiny-cpu' (the defaults) or 'paper-7b' (the "
        "paper's: Qwen2.5-7B, lr 1e-6, no KL, 5 steps, the whole question, no tiny recipe, ...). Applied alike "
        "from a config file, --set, a Prefect parameter or Python; what is given beside it wins.",
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
    faults: dict[str, float] = Field(
        default_factory=dict,
        description="Faults the SIMULATED pool injects, as rates per request (0-1): timeout, rate_limit (or "
        "429, with Retry-After), server_error (or 500), empty, garbage, truncated; also hang_s and retry_after_s "
        "(seconds). `conductor pool serve --faults timeout=0.05,429=0.05` takes the same. Empty: none. Only for "
        "a simulated pool, to rehearse a bad day at a provider.",
    )
    distributed: DistributedConfig = Field(default_factory=DistributedConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    tiny: TinyConfig | None = Field(
        default=None,
        description="The tiny recipe's settings (see its section); null for a real base model.",
    )
    rollout: RolloutConfig = Field(default_factory=RolloutConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)

    @model_validator(mode="before")
    @classmethod
    def _lay_preset_under(cls, data: Any) -> Any:
        """The one place presets are applied: the named preset's values under the given ones. Idempotent, so
        a stored config (everything explicit) validates to itself on resume."""
        if not isinstance(data, dict):
            return data
        data = {k: _given(v) for k, v in data.items()}
        policy = data.get("policy")
        if isinstance(policy, dict):
            moved = sorted(k for k in policy if k in MOVED_TO_TINY)
            if moved:
                raise ValueError(
                    "the tiny recipe's settings have their own section: "
                    + ", ".join(f"policy.{k} is now tiny.{MOVED_TO_TINY[k]}" for k in moved)
                )
        name = data.get("preset")
        if name is not None:
            data = merge(preset_values(name), data)
        base = (data.get("policy") or {}).get("base_model", TINY_BASE_MODEL)
        if "tiny" not in data and base == TINY_BASE_MODEL:
            data["tiny"] = {}
        return data

    @field_validator("faults")
    @classmethod
    def _fault_names(cls, faults: dict[str, float]) -> dict[str, float]:
        """The HTTP codes users know two faults by (429, 500) stored as their names, so a run records one form."""
        return {FAULT_ALIASES.get(k, k): v for k, v in faults.items()}

    @model_validator(mode="after")
    def _tiny_model_needs_its_recipe(self) -> RunConfig:
        if self.policy.base_model == TINY_BASE_MODEL and self.tiny is None:
            raise ValueError("policy.base_model 'tiny' is built by the tiny recipe: its section `tiny` cannot be null")
        return self
