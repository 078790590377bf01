"""Injected faults: what a real provider does to a client on a bad day, on demand and reproducibly.

Each fault has a rate; a request's fault is drawn from the same inputs as its answer (with its own salt),
so a run with faults is as reproducible as one without. The draw also takes the attempt number of that
exact input (how many times the server has seen it), so a client that retries gets a fresh draw, as with a
real provider, and a retried request that succeeds gets exactly the answer it would have got with no
faults at all: faults never change correctness.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from conductor.config.settings import FAULT_ALIASES

Fault = Literal["timeout", "rate_limit", "server_error", "empty", "garbage", "truncated"]

FAULTS: tuple[Fault, ...] = ("timeout", "rate_limit", "server_error", "empty", "garbage", "truncated")


class FaultConfig(BaseModel):
    """Rates of each fault (per request, independent of correctness). Default: no faults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timeout: float = Field(default=0.0, ge=0, le=1, description="Hang for `hang_s` (past the client's timeout).")
    rate_limit: float = Field(default=0.0, ge=0, le=1, description="HTTP 429 with a Retry-After header.")
    server_error: float = Field(default=0.0, ge=0, le=1, description="HTTP 500.")
    empty: float = Field(default=0.0, ge=0, le=1, description="HTTP 200 with an empty message.")
    garbage: float = Field(default=0.0, ge=0, le=1, description="HTTP 200, text with no <answer>.")
    truncated: float = Field(default=0.0, ge=0, le=1, description="HTTP 200, cut off, finish_reason 'length'.")
    hang_s: float = Field(
        default=600.0, gt=0, description="How long a 'timeout' hangs (ends early if the client goes)."
    )
    retry_after_s: float = Field(default=1.0, ge=0, description="Retry-After sent with a 429, seconds.")
    per_attempt: bool = Field(
        default=True,
        description="Redraw the fault on each repeat of the same input (retries can succeed). False: the same "
        "input always gets the same fault.",
    )

    @model_validator(mode="after")
    def _total(self) -> FaultConfig:
        if self.total > 1.0 + 1e-9:
            raise ValueError(f"fault rates sum to {self.total:.3f} > 1")
        return self

    @property
    def total(self) -> float:
        return sum(getattr(self, f) for f in FAULTS)

    def pick(self, u: float) -> Fault | None:
        """The fault for a uniform draw u in [0, 1): cumulative rates in FAULTS order, None past them."""
        edge = 0.0
        for f in FAULTS:
            edge += getattr(self, f)
            if u < edge:
                return f
        return None

    @classmethod
    def only(cls, fault: Fault, rate: float = 1.0, **kw: float) -> FaultConfig:
        """One fault at `rate` (tests and demos): FaultConfig.only('rate_limit')."""
        return cls(**{fault: rate}, **kw)


ALIASES = FAULT_ALIASES  # 429 and 500: the HTTP codes users know two faults by


def fault_config(rates: Mapping[str, float] | None) -> FaultConfig:
    """A FaultConfig from a mapping of names (or the aliases 429, 500) to values: the run config's `faults`."""
    return FaultConfig(**{ALIASES.get(str(k), str(k)): float(v) for k, v in (rates or {}).items()})


def parse_faults(spec: str) -> dict[str, float]:
    """`timeout=0.05,429=0.05,empty=0.02` as a mapping (what `conductor pool serve --faults` takes); ValueError
    names the first part that is not name=number."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        try:
            out[ALIASES.get(name.strip(), name.strip())] = float(value) if sep else float("nan")
        except ValueError:
            raise ValueError(f"fault {part!r} is not name=rate (e.g. timeout=0.05)") from None
        if not sep:
            raise ValueError(f"fault {part!r} is not name=rate (e.g. timeout=0.05)")
    return out
