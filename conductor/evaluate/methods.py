"""The methods an evaluation compares, by name: what a user types after `--methods`.

    conductor            the checkpoint, once per requested number of recursion rounds ("conductor",
                         "conductor+r1", ...)
    single:<id>          that worker alone          (single: every worker)
    reflect:<id>         the worker revises its own answer up to 5 times, seeing every earlier attempt
    consensus:<id>       5 independent answers of that worker, the most common answer wins
    vote                 one answer from every worker, the most common answer wins
    moa                  every worker proposes, one randomly drawn worker aggregates (mixture-of-agents)
    random               random valid workflows within the step limit
    oracle               the best expected accuracy of any workflow (simulated pools only; no calls)
    all                  every one of the above; a bare `reflect` or `consensus` means every worker

An unknown name or worker id is a ConfigError (one line, a non-zero exit), before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conductor.errors import ConfigError
from conductor.pool.spec import PoolSpec

Kind = Literal["conductor", "single", "reflect", "consensus", "vote", "moa", "random", "oracle"]
PER_WORKER: tuple[Kind, ...] = ("single", "reflect", "consensus")
KINDS: tuple[Kind, ...] = ("conductor", "single", "reflect", "consensus", "vote", "moa", "random", "oracle")

# What a training iteration evaluates (eval.methods): the cheap set, the methods the learning curve is read
# against. `conductor eval` defaults to all of them.
ITERATION_METHODS = ("conductor", "single", "random", "oracle")
ALL_METHODS = ("all",)


@dataclass(frozen=True, order=True)
class Method:
    """One evaluated way of answering: its kind, and the worker (per-worker kinds) or extra rounds (conductor)."""

    kind: Kind
    worker: int | None = None
    rounds: int = 0

    @property
    def name(self) -> str:
        """The method's name in tables, the store's `policy` column, MLflow metrics and the Prefect UI."""
        if self.kind == "conductor":
            return "conductor" if self.rounds == 0 else f"conductor+r{self.rounds}"
        if self.worker is not None:
            return f"{self.kind}:{self.worker}"
        return self.kind

    @property
    def calls_workers(self) -> bool:
        return self.kind != "oracle"


def _worker(spec: str, kind: str, pool: PoolSpec) -> int:
    try:
        w = int(spec)
    except ValueError:
        raise ConfigError(f"method {kind}:{spec!r}: the worker must be an id of the pool ({pool.ids})") from None
    if w not in pool.ids:
        raise ConfigError(f"method {kind}:{w}: no worker {w} in pool {pool.label} (ids {list(pool.ids)})")
    return w


def parse_methods(names: list[str] | tuple[str, ...], pool: PoolSpec, rounds: list[int] | None = None) -> list[Method]:
    """Method names (comma lists allowed) -> Methods, in a stable order without duplicates.

    rounds: the numbers of extra recursion rounds the Conductor is evaluated with (each its own method)."""
    rounds = sorted(set(rounds or [0]))
    if any(r < 0 for r in rounds):
        raise ConfigError(f"recursion rounds must be >= 0, got {rounds}")
    wanted: list[Method] = []
    items = [n.strip() for name in names for n in name.split(",") if n.strip()]
    if not items:
        raise ConfigError("no methods given; known: " + ", ".join([*KINDS, "all"]))
    for item in items:
        kind, _, arg = item.partition(":")
        if kind == "all" and not arg:
            wanted += parse_methods(list(KINDS), pool, rounds)
            continue
        if kind not in KINDS:
            raise ConfigError(f"unknown method {item!r}; known: {', '.join([*KINDS, 'all'])} (e.g. single:2)")
        if kind in PER_WORKER:
            workers = [_worker(arg, kind, pool)] if arg else list(pool.ids)
            wanted += [Method(kind, worker=w) for w in workers]
        elif arg:
            raise ConfigError(f"method {kind!r} takes no worker id (got {item!r})")
        elif kind == "conductor":
            wanted += [Method("conductor", rounds=r) for r in rounds]
        else:
            wanted.append(Method(kind))
    out: list[Method] = []
    for m in wanted:
        if m not in out:
            out.append(m)
    return sorted(out, key=lambda m: (KINDS.index(m.kind), m.worker if m.worker is not None else -1, m.rounds))
