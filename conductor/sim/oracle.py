"""The oracle: the best expected accuracy any workflow can reach on the simulated pool, and that workflow.

Because the simulated pool's probabilities are known (conductor.sim.behaviour), a workflow's expected
accuracy can be computed exactly instead of estimated. With access entries only "all" or "none", a step's
chance of being right depends only on whether ANY earlier step is right (a review sees all earlier answers)
and the answer is the last step's, so the state after each step is a distribution over three states:
  A  no step right so far
  B  some step right, the last one wrong
  C  the last step right (so some step right)
a Markov chain. Each step is one of two kinds per worker:
  solve  (a solve subtask, or any subtask with access "none"): right with p = skill, from every state;
  review (a review subtask with access "all", not the first step): right with p = judge * skill from A,
         judge + (1 - judge) * skill from B or C.
`oracle` enumerates every sequence of 1..max_steps such steps with numpy, pruning as it goes: choices with
the same numbers are merged, and of the sequences that reach the same P(A) only one is continued (the
future depends on P(A) alone; C matters only if the workflow stops there). The accuracy of a sequence is
P(C) after its last step.

`expected_accuracy` handles ANY workflow (unfocused subtasks, fine-grained access lists) by brute-force
enumeration of the 2^n correctness outcomes, using the same role classifier and p_correct as the server.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from conductor.pool.spec import PoolSpec, SimProfile
from conductor.sim.behaviour import p_correct
from conductor.sim.roles import classify_role
from conductor.workflow.schema import MAX_STEPS, Step, Workflow

DOMAINS: tuple[str, ...] = ("math", "science", "code")
SOLVE_SUBTASK = "Solve the problem."
REVIEW_SUBTASK = "Review the answers above and give the final answer."


@dataclass(frozen=True)
class OracleResult:
    """The best expected accuracy on one domain and a workflow that reaches it."""

    domain: str
    accuracy: float
    workflow: Workflow


def _profiles(pool: PoolSpec) -> dict[int, SimProfile]:
    profiles = {w.id: w.sim for w in pool.workers if w.sim is not None}
    if not profiles:
        raise ValueError(f"pool {pool.name!r} has no simulated workers: the oracle needs `sim:` profiles")
    return profiles


def single_worker_accuracy(pool: PoolSpec, domain: str) -> dict[int, float]:
    """Each worker alone (one 'solve' step): its skill in the domain."""
    return {wid: p_correct(prof, domain, "solve", 0, False) for wid, prof in _profiles(pool).items()}


def expected_accuracy(pool: PoolSpec, domain: str, workflow: Workflow) -> float:
    """Exact P(the last step is right) for any workflow, by enumerating every correctness outcome."""
    if not workflow.steps:
        raise ValueError("an empty workflow has no answer")
    profiles = _profiles(pool)
    plan: list[tuple[SimProfile, str, tuple[int, ...]]] = []
    for i, step in enumerate(workflow.steps):
        if step.worker not in profiles:
            raise ValueError(f"step {i}: worker {step.worker} is not a simulated worker of this pool")
        visible = step.visible(i)
        if any(v < 0 or v >= i for v in visible):
            raise ValueError(f"step {i}: access {step.access!r} names a step that is not earlier")
        plan.append((profiles[step.worker], classify_role(step.subtask), visible))

    total = 0.0
    for outcome in itertools.product((False, True), repeat=len(plan)):
        prob = 1.0
        for i, (prof, role, visible) in enumerate(plan):
            p = p_correct(prof, domain, role, len(visible), any(outcome[v] for v in visible))
            prob *= p if outcome[i] else 1.0 - p
            if prob == 0.0:
                break
        if outcome[-1]:
            total += prob
    return total


def _choices(profiles: dict[int, SimProfile], domain: str) -> list[tuple[int, str, float, float]]:
    """(worker, kind, p from state A, p from B/C), with choices of identical numbers merged (lowest id kept)."""
    seen: set[tuple[float, float]] = set()
    out: list[tuple[int, str, float, float]] = []
    for kind in ("solve", "review"):
        for wid in sorted(profiles):
            prof = profiles[wid]
            if kind == "solve":
                p_a = p_any = p_correct(prof, domain, "solve", 0, False)
            else:
                p_a = p_correct(prof, domain, "review", 1, False)
                p_any = p_correct(prof, domain, "review", 1, True)
            key = (round(p_a, 12), round(p_any, 12))
            if key not in seen:
                seen.add(key)
                out.append((wid, kind, p_a, p_any))
    return out


def _to_workflow(seq: Sequence[tuple[int, str]]) -> Workflow:
    steps = []
    for i, (wid, kind) in enumerate(seq):
        if kind == "review" and i > 0:
            steps.append(Step(worker=wid, subtask=REVIEW_SUBTASK, access="all"))
        else:
            steps.append(Step(worker=wid, subtask=SOLVE_SUBTASK, access="none"))
    return Workflow(steps=tuple(steps))


def oracle(pool: PoolSpec, domain: str, max_steps: int = MAX_STEPS) -> OracleResult:
    """The best expected accuracy of any workflow of 1..max_steps steps (binary access) on `domain`."""
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    choices = _choices(_profiles(pool), domain)
    p_a = np.array([c[2] for c in choices])
    p_any = np.array([c[3] for c in choices])
    solve_only = np.array([c[1] == "solve" for c in choices])

    # Frontier: one row per distinct P(A) reachable so far; its (A, B, C) mass and the choices that led there.
    mass = np.array([[1.0, 0.0, 0.0]])
    paths: list[tuple[int, ...]] = [()]
    best_acc, best_path = -1.0, ()
    for depth in range(max_steps):
        usable = solve_only if depth == 0 else np.ones(len(choices), dtype=bool)  # a first review sees nothing
        idx = np.flatnonzero(usable)
        a, bc = mass[:, 0:1], mass[:, 1:2] + mass[:, 2:3]
        new_c = a * p_a[idx] + bc * p_any[idx]  # (frontier, choices)
        new_a = a * (1.0 - p_a[idx])
        new_b = bc * (1.0 - p_any[idx])
        flat = int(np.argmax(new_c))
        row, col = divmod(flat, len(idx))
        if new_c[row, col] > best_acc + 1e-12:  # strictly better: prefer fewer steps on ties
            best_acc, best_path = float(new_c[row, col]), paths[row] + (int(idx[col]),)
        # Continue only one sequence per distinct P(A): the future depends on nothing else.
        flat_a = np.round(new_a.ravel(), 12)
        _, keep = np.unique(flat_a, return_index=True)
        mass = np.stack([new_a.ravel()[keep], new_b.ravel()[keep], new_c.ravel()[keep]], axis=1)
        paths = [paths[k // len(idx)] + (int(idx[k % len(idx)]),) for k in keep]
    workflow = _to_workflow([(choices[k][0], choices[k][1]) for k in best_path])
    return OracleResult(domain=domain, accuracy=best_acc, workflow=workflow)


@dataclass(frozen=True)
class OracleRow:
    domain: str
    oracle: float
    best_single_worker: int
    best_single: float
    workflow: Workflow

    @property
    def gain(self) -> float:
        return self.oracle - self.best_single


@dataclass(frozen=True)
class OracleTable:
    """Per-domain oracle vs the best single worker, plus the equal-weight mean (the pool's headline gap)."""

    rows: tuple[OracleRow, ...]
    mean_oracle: float
    best_single_worker: int  # the one worker with the best mean accuracy over the domains
    best_single_mean: float

    @property
    def gain(self) -> float:
        return self.mean_oracle - self.best_single_mean

    def as_dicts(self) -> list[dict[str, object]]:
        """Rows for MLflow tables, Parquet or printing; the last row is the mean."""
        out: list[dict[str, object]] = [
            {
                "domain": r.domain,
                "oracle": r.oracle,
                "best_single_worker": r.best_single_worker,
                "best_single": r.best_single,
                "gain": r.gain,
                "oracle_workflow": describe(r.workflow),
            }
            for r in self.rows
        ]
        out.append(
            {
                "domain": "mean",
                "oracle": self.mean_oracle,
                "best_single_worker": self.best_single_worker,
                "best_single": self.best_single_mean,
                "gain": self.gain,
                "oracle_workflow": "",
            }
        )
        return out

    def format(self) -> str:
        lines = [f"{'domain':<8} {'oracle':>7} {'best single':>12} {'gain':>6}  oracle workflow"]
        for d in self.as_dicts():
            single = f"{d['best_single']:.3f} (#{d['best_single_worker']})"
            lines.append(
                f"{d['domain']:<8} {d['oracle']:>7.3f} {single:>12} {d['gain']:>+6.3f}  {d['oracle_workflow']}"
            )
        return "\n".join(lines)


def describe(workflow: Workflow) -> str:
    """A one-line form: '2 solve -> 2 solve -> 3 review(all)'."""
    parts = []
    for i, s in enumerate(workflow.steps):
        role = classify_role(s.subtask)
        access = "" if not s.visible(i) else "(all)" if s.access == "all" else f"({','.join(map(str, s.visible(i)))})"
        parts.append(f"{s.worker} {role}{access}")
    return " -> ".join(parts)


def oracle_table(pool: PoolSpec, domains: Sequence[str] = DOMAINS, max_steps: int = MAX_STEPS) -> OracleTable:
    """The oracle and the best single worker per domain, and their equal-weight means over `domains`."""
    rows = []
    singles = {d: single_worker_accuracy(pool, d) for d in domains}
    for d in domains:
        res = oracle(pool, d, max_steps)
        wid = max(singles[d], key=lambda w: (singles[d][w], -w))
        rows.append(OracleRow(d, res.accuracy, wid, singles[d][wid], res.workflow))
    means = {w: float(np.mean([singles[d][w] for d in domains])) for w in singles[domains[0]]}
    best = max(means, key=lambda w: (means[w], -w))
    return OracleTable(tuple(rows), float(np.mean([r.oracle for r in rows])), best, means[best])
