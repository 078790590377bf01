"""The oracle: the best expected accuracy any workflow can reach on the simulated pool, and that workflow.

Because the simulated pool's probabilities are known (conductor.sim.behaviour), a workflow's expected
accuracy can be computed exactly instead of estimated. It factorises: given the task's difficulty level and
every worker's own take on the task (S, right or wrong; the irt model), calls are independent, so the
expectation is a sum over *components* (level, S) with their probabilities, and within one component the
first simulator's argument holds. With access entries only "all" or "none", a step's chance of being right
depends only on whether ANY earlier step is right (a review sees all earlier answers) and the answer is the
last step's, so the state after each step is a distribution over three states:
  A  no step right so far
  B  some step right, the last one wrong
  C  the last step right (so some step right)
a Markov chain. Each step is one of two kinds per worker:
  solve  (a solve subtask, or any subtask with access "none"): right with q (P(right | S)) from every state;
  review (a review subtask with access "all", not the first step): right with c*q from A, c + (1-c)*q from B/C.
Per component the future depends on P(A) alone (B + C is the rest), so `oracle` enumerates every sequence of
1..max_steps such steps with numpy and continues one sequence per distinct vector of P(A) over the
components. Every step multiplies P(A) by (1 - its P from A), so the order of steps never changes that vector:
the frontier holds multisets, a few hundred rows for 5 workers and 5 steps. The accuracy of a sequence is the
weighted P(C) after its last step. The independent model has one component and is the first oracle, exactly.

The oracle of a *task* is the best workflow for its difficulty level (`oracle(..., level=k)`);
`task_oracle_accuracy` averages that over tasks, `domain_oracle` over a domain's levels (the domain's tasks
spread evenly over them). `oracle(..., level=None)` is the best ONE workflow for the domain as a whole.

`expected_accuracy` handles ANY workflow (unfocused subtasks, fine-grained access lists) by brute-force
enumeration of the 2^n correctness outcomes in every component, with the same role classifier and numbers
as the server.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from conductor.pool.spec import PoolSpec, SimProfile
from conductor.sim.behaviour import Numbers, difficulty_level, numbers, p_given
from conductor.sim.roles import Role, classify_role
from conductor.tasks.schema import Task
from conductor.workflow.schema import MAX_STEPS, Step, Workflow

DOMAINS: tuple[str, ...] = ("math", "science", "code")
SOLVE_SUBTASK = "Solve the problem."
REVIEW_SUBTASK = "Review the answers above and give the final answer."
CONSENSUS_CALLS = 5


@dataclass(frozen=True)
class OracleResult:
    """The best expected accuracy on one domain (at one difficulty level, or all) and a workflow reaching it."""

    domain: str
    accuracy: float
    workflow: Workflow


def _profiles(pool: PoolSpec) -> dict[int, SimProfile]:
    profiles = {w.id: w.sim for w in pool.workers if w.sim is not None}
    if not profiles:
        raise ValueError(f"pool {pool.name!r} has no simulated workers: the oracle needs `sim:` profiles")
    return profiles


def level_of(pool: PoolSpec, task_id: str, difficulty: float | None) -> int | None:
    """A task's difficulty level under the pool's model (None for the independent model: no difficulty)."""
    if pool.sim_model.kind == "independent":
        return None
    return difficulty_level(task_id, difficulty, pool.sim_model.levels)


def task_level(pool: PoolSpec, task: Task) -> int | None:
    """The task's difficulty level under the pool's model (the server's, for the same task)."""
    return level_of(pool, task.id, task.difficulty)


def _levels(pool: PoolSpec, level: int | None) -> list[int | None]:
    if pool.sim_model.kind == "independent":
        return [None]
    return list(range(pool.sim_model.levels)) if level is None else [level]


def _numbers(pool: PoolSpec, domain: str, level: int | None) -> dict[int, Numbers]:
    profiles = _profiles(pool)
    temps = {w.id: w.temperature for w in pool.workers}
    return {wid: numbers(prof, domain, level, pool.sim_model, temps[wid]) for wid, prof in profiles.items()}


@dataclass(frozen=True)
class Component:
    """One (difficulty level, every worker's own take) case: its probability and each worker's numbers."""

    weight: float
    nums: dict[int, Numbers]
    own: dict[int, bool | None]  # None: the worker's take does not matter (share 0, or p 0 or 1)


def components(pool: PoolSpec, domain: str, level: int | None, workers: Sequence[int] | None = None) -> list[Component]:
    """The cases the expectation sums over, weights summing to 1 (levels equally likely when `level` is None).
    Only `workers` (default: all) get their own take enumerated."""
    out = []
    levels = _levels(pool, level)
    for lv in levels:
        nums = _numbers(pool, domain, lv)
        chosen = sorted(nums) if workers is None else sorted(set(workers))
        uncertain = [w for w in chosen if nums[w].share > 0 and 0.0 < nums[w].solve < 1.0]
        for takes in itertools.product((True, False), repeat=len(uncertain)):
            weight = 1.0 / len(levels)
            for w, right in zip(uncertain, takes, strict=True):
                weight *= nums[w].solve if right else 1.0 - nums[w].solve
            own: dict[int, bool | None] = dict.fromkeys(nums)
            own.update(zip(uncertain, takes, strict=True))
            out.append(Component(weight, nums, own))
    return out


def single_worker_accuracy(pool: PoolSpec, domain: str, level: int | None = None) -> dict[int, float]:
    """Each worker alone (one 'solve' step): its skill in the domain (at `level`, or on average)."""
    out: dict[int, float] = {}
    for lv in _levels(pool, level):
        for wid, n in _numbers(pool, domain, lv).items():
            out[wid] = out.get(wid, 0.0) + n.solve / len(_levels(pool, level))
    return out


def consensus_accuracy(
    pool: PoolSpec, domain: str, worker: int, level: int | None = None, calls: int = CONSENSUS_CALLS
) -> float:
    """P(an answer given by a strict majority of `calls` solves of one worker is the right one): the paper's
    consensus baseline, exact (given the worker's own take, its calls are independent draws with P = q)."""
    need = calls // 2 + 1
    total = 0.0
    for comp in components(pool, domain, level, [worker]):
        q = comp.nums[worker].q(comp.own[worker])
        total += comp.weight * sum(math.comb(calls, k) * q**k * (1 - q) ** (calls - k) for k in range(need, calls + 1))
    return total


def expected_accuracy(pool: PoolSpec, domain: str, workflow: Workflow, level: int | None = None) -> float:
    """Exact P(the last step is right) for any workflow at difficulty `level` (None: the domain's average
    task), by enumerating every correctness outcome in every component."""
    if not workflow.steps:
        raise ValueError("an empty workflow has no answer")
    profiles = _profiles(pool)
    plan: list[tuple[int, Role, tuple[int, ...]]] = []
    for i, step in enumerate(workflow.steps):
        if step.worker not in profiles:
            raise ValueError(f"step {i}: worker {step.worker} is not a simulated worker of this pool")
        visible = step.visible(i)
        if any(v < 0 or v >= i for v in visible):
            raise ValueError(f"step {i}: access {step.access!r} names a step that is not earlier")
        plan.append((step.worker, classify_role(step.subtask), visible))

    total = 0.0
    for comp in components(pool, domain, level, [w for w, _, _ in plan]):
        for outcome in itertools.product((False, True), repeat=len(plan)):
            prob = comp.weight
            for i, (wid, role, visible) in enumerate(plan):
                seen_right = any(outcome[v] for v in visible)
                p = p_given(comp.nums[wid], role, len(visible), seen_right, comp.own[wid])
                prob *= p if outcome[i] else 1.0 - p
                if prob == 0.0:
                    break
            if outcome[-1]:
                total += prob
    return total


def _choices(pool: PoolSpec, comps: list[Component]) -> list[tuple[int, str, np.ndarray, np.ndarray]]:
    """(worker, kind, P from A per component, P from B/C per component); choices whose numbers are identical
    in every component are merged (lowest id kept)."""
    seen: set[bytes] = set()
    out: list[tuple[int, str, np.ndarray, np.ndarray]] = []
    for kind in ("solve", "review"):
        for wid in sorted(_profiles(pool)):
            q = np.array([c.nums[wid].q(c.own[wid]) for c in comps])
            if kind == "solve":
                p_a, p_any = q, q
            else:
                j = np.array([c.nums[wid].judge for c in comps])
                p_a, p_any = j * q, j + (1.0 - j) * q
            key = np.round(np.concatenate([p_a, p_any]), 12).tobytes()
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


def oracle(pool: PoolSpec, domain: str, max_steps: int = MAX_STEPS, level: int | None = None) -> OracleResult:
    """The best expected accuracy of any workflow of 1..max_steps steps (binary access) on `domain`'s tasks of
    difficulty `level` (None: the best one workflow for all of the domain's tasks)."""
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    comps = components(pool, domain, level)
    weights = np.array([c.weight for c in comps])
    choices = _choices(pool, comps)
    p_a = np.stack([c[2] for c in choices])  # (choices, components)
    p_any = np.stack([c[3] for c in choices])
    solve_only = np.array([c[1] == "solve" for c in choices])

    # Frontier: one row per distinct vector of P(A) (mass, weights included) over the components.
    mass_a = weights[None, :]
    paths: list[tuple[int, ...]] = [()]
    best_acc, best_path = -1.0, ()
    for depth in range(max_steps):
        usable = solve_only if depth == 0 else np.ones(len(choices), dtype=bool)  # a first review sees nothing
        idx = np.flatnonzero(usable)
        a = mass_a[:, None, :]  # (frontier, 1, components)
        new_c = (a * p_a[idx][None] + (weights - a) * p_any[idx][None]).sum(axis=2)  # (frontier, choices)
        new_a = a * (1.0 - p_a[idx][None])
        row, col = divmod(int(np.argmax(new_c)), len(idx))
        if new_c[row, col] > best_acc + 1e-12:  # strictly better: prefer fewer steps on ties
            best_acc, best_path = float(new_c[row, col]), paths[row] + (int(idx[col]),)
        flat = new_a.reshape(-1, len(comps))
        _, keep = np.unique(np.round(flat, 12), axis=0, return_index=True)
        mass_a = flat[keep]
        paths = [paths[k // len(idx)] + (int(idx[k % len(idx)]),) for k in keep]
    workflow = _to_workflow([(choices[k][0], choices[k][1]) for k in best_path])
    return OracleResult(domain=domain, accuracy=best_acc, workflow=workflow)


@lru_cache(maxsize=1024)
def _cached_oracle(pool_json: str, domain: str, max_steps: int, level: int | None) -> float:
    return oracle(PoolSpec.model_validate_json(pool_json), domain, max_steps, level).accuracy


def level_oracle(pool: PoolSpec, domain: str, max_steps: int, level: int | None) -> float:
    """oracle(...).accuracy, cached per pool, domain, step limit and level (evaluations ask it per task)."""
    return _cached_oracle(pool.model_dump_json(), domain, max_steps, level)


def domain_oracle(pool: PoolSpec, domain: str, max_steps: int = MAX_STEPS) -> float:
    """The per-task oracle averaged over the domain's difficulty levels (equally likely)."""
    levels = _levels(pool, None)
    return sum(level_oracle(pool, domain, max_steps, lv) for lv in levels) / len(levels)


def task_oracle_accuracy(pool: PoolSpec, tasks: Sequence[Task], max_steps: int = MAX_STEPS) -> float:
    """The oracle on these tasks: each task's best workflow for its own domain and difficulty, averaged."""
    if not tasks:
        raise ValueError("no tasks")
    return sum(level_oracle(pool, t.domain, max_steps, task_level(pool, t)) for t in tasks) / len(tasks)


@dataclass(frozen=True)
class OracleRow:
    domain: str
    oracle: float  # the per-task oracle, averaged over the domain's levels
    best_single_worker: int
    best_single: float
    workflow: Workflow  # the best one workflow for the whole domain
    consensus: float  # 5 solves of the domain's best worker, majority answer

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

    @property
    def mean_consensus(self) -> float:
        return float(np.mean([r.consensus for r in self.rows]))

    def as_dicts(self) -> list[dict[str, object]]:
        """Rows for MLflow tables, Parquet or printing; the last row is the mean."""
        out: list[dict[str, object]] = [
            {
                "domain": r.domain,
                "oracle": r.oracle,
                "best_single_worker": r.best_single_worker,
                "best_single": r.best_single,
                "consensus": r.consensus,
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
                "consensus": self.mean_consensus,
                "gain": self.gain,
                "oracle_workflow": "",
            }
        )
        return out

    def format(self) -> str:
        lines = [f"{'domain':<8} {'oracle':>7} {'best single':>12} {'5x consensus':>12} {'gain':>6}  one workflow"]
        for d in self.as_dicts():
            single = f"{d['best_single']:.3f} (#{d['best_single_worker']})"
            lines.append(
                f"{d['domain']:<8} {d['oracle']:>7.3f} {single:>12} {d['consensus']:>12.3f} {d['gain']:>+6.3f}  "
                f"{d['oracle_workflow']}"
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
    """Per domain: the oracle (per task, averaged), the best single worker, 5x consensus of that worker and the
    best one workflow; and the equal-weight means over `domains`."""
    rows = []
    singles = {d: single_worker_accuracy(pool, d) for d in domains}
    for d in domains:
        wid = max(singles[d], key=lambda w: (singles[d][w], -w))
        rows.append(
            OracleRow(
                d,
                domain_oracle(pool, d, max_steps),
                wid,
                singles[d][wid],
                oracle(pool, d, max_steps).workflow,
                consensus_accuracy(pool, d, wid),
            )
        )
    means = {w: float(np.mean([singles[d][w] for d in domains])) for w in singles[domains[0]]}
    best = max(means, key=lambda w: (means[w], -w))
    return OracleTable(tuple(rows), float(np.mean([r.oracle for r in rows])), best, means[best])
