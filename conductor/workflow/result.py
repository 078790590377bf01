"""What executing a workflow produced: per-step records and the answer.

Every field a user needs to see what a worker saw and said is here: the exact messages sent, the reply,
tokens, cost, latency, timing and failure reason. Stored with the rollout as typed columns (conductor.store.steps).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class StepResult(BaseModel):
    index: int
    worker: int
    subtask: str
    access: Any = Field(description='"all", "none" or a list of earlier positions.')
    visible: list[int] = Field(default_factory=list, description="Earlier positions this step read.")
    messages: list[dict[str, str]] = Field(default_factory=list, description="Exactly what the worker was sent.")
    output: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    started_at: float = 0.0
    ended_at: float = 0.0
    attempts: int = 0
    cached: bool = False
    error: str | None = Field(default=None, description="Why the step failed after its retries, if it did.")
    retries: list[str] = Field(default_factory=list, description="Why each failed attempt of the call failed.")
    seed: int | None = Field(default=None, description="The request seed sent for this step.")
    nested: dict[str, Any] | None = Field(
        default=None, description="When the step named the Conductor itself: the nested workflow's record."
    )


class Execution(BaseModel):
    steps: list[StepResult] = Field(default_factory=list)
    answer: str = Field(default="", description="The last step's output: the workflow's answer.")
    ok: bool = True
    failure: str | None = Field(default=None, description="Set when a step failed (an infrastructure fault).")

    @property
    def prompt_tokens(self) -> int:
        return sum(s.prompt_tokens for s in self.steps)

    @property
    def completion_tokens(self) -> int:
        return sum(s.completion_tokens for s in self.steps)

    @property
    def cost_usd(self) -> float:
        return sum(s.cost_usd for s in self.steps)

    @property
    def latency_s(self) -> float:
        """Wall time from the first step's start to the last step's end (steps may overlap)."""
        if not self.steps:
            return 0.0
        return max(s.ended_at for s in self.steps) - min(s.started_at for s in self.steps)
