"""One sampled completion, as every generator (HF generate, vLLM) returns it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Generation:
    """One sampled completion. `logprobs[i]` is log p(token_ids[i]) at the sampling temperature."""

    text: str
    token_ids: list[int]
    logprobs: list[float]
    finish_reason: str  # "stop" (an end-of-turn token was sampled, and is included) or "length"
