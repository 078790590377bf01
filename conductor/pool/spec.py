"""The pool file: the workers on offer, how to reach each one, and what each costs.

A pool file is YAML. Secrets never appear in it: a worker names the *environment variable* that holds its
API key (`api_key_env`), and the key is read from the environment only when a client is built.
Worker ids are stable: the Conductor learns what each id is good at, so the id -> model mapping is part of
the trained policy (paper section 3).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from conductor.errors import ConductorError


class SimProfile(BaseModel):
    """How a *simulated* worker behaves (see conductor.sim.behaviour). Absent for real workers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skill: dict[str, float] = Field(
        description="P(correct) when solving a task of each domain from scratch (irt: on average over the "
        "domain's tasks; harder tasks less, easier more)."
    )
    judge: dict[str, float] = Field(
        default_factory=dict,
        description="P(recognising which visible earlier answer is right) per domain, when asked to review (irt: "
        "on average over the domain's tasks).",
    )
    latency_s: float = Field(default=0.0, ge=0, description="Injected latency per call, seconds.")

    @field_validator("skill", "judge")
    @classmethod
    def _probabilities(cls, v: dict[str, float]) -> dict[str, float]:
        for k, p in v.items():
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{k}: {p} is not a probability in [0, 1]")
        return v


class SimModel(BaseModel):
    """Which behaviour model a *simulated* pool answers from (docs/simulator.md; conductor.sim.behaviour).

    `irt` (the default): each task has a difficulty that every worker shares, a worker's chance on it follows
    an item-response curve of its domain skill against that difficulty, and repeated calls of one worker on
    one task share most of their randomness. `independent`: the first simulator, every answer a fresh draw
    with P = skill (kept so that the figures measured on it can be reproduced). In a pool file either
    `sim_model: independent` or the full form `sim_model: {kind: irt, spread: 1.0, levels: 8}`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["irt", "independent"] = Field(default="irt", description="The behaviour model (see above).")
    spread: float = Field(
        default=1.0, ge=0, description="irt: standard deviation of task difficulty on the logit scale."
    )
    levels: int = Field(
        default=8, ge=1, le=64, description="irt: difficulty levels (quantiles); the oracle is exact per level."
    )


class WorkerSpec(BaseModel):
    """One worker: an OpenAI-compatible chat endpoint and a model name on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int = Field(ge=0, description="Stable id shown to the Conductor ('Model id 3').")
    name: str = Field(description="Human-readable name for tables and logs.")
    model: str = Field(description="Model name sent in the API request.")
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL ending in /v1. Filled in at start for a simulated pool."
    )
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable holding the API key (never the key itself)."
    )
    description: str = Field(default="", description="Shown to the Conductor only in 'descriptions' prompt mode.")
    price_in: float = Field(default=0.0, ge=0, description="USD per million input tokens.")
    price_out: float = Field(default=0.0, ge=0, description="USD per million output tokens.")
    max_concurrency: int = Field(default=8, ge=1, description="Concurrent requests to this worker at most.")
    timeout_s: float = Field(default=120.0, gt=0, description="Per-request timeout, seconds.")
    max_tokens: int = Field(default=4096, ge=1, description="max_tokens sent with each request.")
    temperature: float = Field(default=0.2, ge=0, description="Sampling temperature (the paper's workers: 0.2).")
    extra_body: dict[str, Any] = Field(default_factory=dict, description="Extra request fields, e.g. top_k for vLLM.")
    prefill: bool = Field(
        default=True,
        description="Append the paper's partial assistant turn ('Let me solve this step by step.'). Turn off for "
        "APIs that reject a trailing assistant message.",
    )
    sim: SimProfile | None = None

    def api_key(self) -> str:
        """The key from the environment; a placeholder for endpoints that need none (vLLM, the simulated pool)."""
        if self.api_key_env is None:
            return "not-needed"
        key = os.environ.get(self.api_key_env)
        if not key:
            raise PoolError(f"worker {self.id} ({self.name}): environment variable {self.api_key_env} is not set")
        return key

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.price_in + completion_tokens * self.price_out) / 1e6


class PoolError(ConductorError, ValueError):
    """A pool file that cannot be used, with the reason."""


class PoolSpec(BaseModel):
    """The workers on offer. `simulated` pools are labelled as such everywhere they appear."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "pool"
    simulated: bool = False
    max_concurrency: int = Field(default=64, ge=1, description="Concurrent worker requests across the pool at most.")
    conductor_id: int | None = Field(
        default=None,
        description="An id (not a worker's) under which the Conductor offers itself: a step given to it becomes a "
        "nested workflow (conductor.workflow.rounds). None: not offered.",
    )
    sim_model: SimModel = Field(
        default_factory=SimModel, description="A simulated pool's behaviour model: irt (default) or independent."
    )
    workers: tuple[WorkerSpec, ...]

    @field_validator("sim_model", mode="before")
    @classmethod
    def _model_by_name(cls, v: Any) -> Any:
        return {"kind": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> PoolSpec:
        if not self.workers:
            raise ValueError("a pool needs at least one worker")
        ids = [w.id for w in self.workers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"worker ids must be unique, got {ids}")
        if self.conductor_id is not None and self.conductor_id in ids:
            raise ValueError(f"conductor_id {self.conductor_id} is also a worker's id")
        if not self.simulated:
            missing = [w.id for w in self.workers if not w.base_url]
            if missing:
                raise ValueError(f"workers {missing} have no base_url (only a simulated pool may leave it out)")
        return self

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(w.id for w in self.workers)

    @property
    def label(self) -> str:
        return f"{self.name} (SIMULATED)" if self.simulated else self.name

    def worker(self, worker_id: int) -> WorkerSpec:
        for w in self.workers:
            if w.id == worker_id:
                return w
        raise KeyError(worker_id)

    def subset(self, ids: list[int] | tuple[int, ...]) -> PoolSpec:
        """The same workers, keeping their global ids (our randomized-pool choice, see docs/design.md)."""
        keep = set(ids)
        return self.model_copy(update={"workers": tuple(w for w in self.workers if w.id in keep)})

    def with_base_url(self, url: str) -> PoolSpec:
        """Point every worker without a base_url at `url` (how a started simulated pool is wired in)."""
        workers = tuple(w if w.base_url else w.model_copy(update={"base_url": url}) for w in self.workers)
        return self.model_copy(update={"workers": workers})


DEFAULT_SIM_POOL = Path(__file__).resolve().parent.parent / "sim" / "default_pool.yaml"


def load_pool(path: str | Path | None = None) -> PoolSpec:
    """Load a pool file; None means the shipped simulated pool."""
    p = Path(path) if path is not None else DEFAULT_SIM_POOL
    try:
        data = yaml.safe_load(p.read_text())
    except FileNotFoundError as e:
        raise PoolError(f"pool file not found: {p}") from e
    except yaml.YAMLError as e:
        raise PoolError(f"pool file {p} is not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise PoolError(f"pool file {p} must hold a mapping with a 'workers' list")
    try:
        return PoolSpec.model_validate(data)
    except ValueError as e:
        raise PoolError(f"pool file {p}: {e}") from e
