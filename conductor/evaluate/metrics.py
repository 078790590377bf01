"""Turning evaluation rollouts into the table a user reads: accuracy per policy, beside the oracle."""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from conductor.pool.spec import PoolSpec
from conductor.sim.oracle import expected_accuracy, level_of, task_oracle_accuracy
from conductor.store.schema import RolloutRow
from conductor.tasks.schema import Task
from conductor.workflow.validate import validate_lists


def accuracy_by_policy(rows: list[RolloutRow]) -> dict[str, float]:
    hits: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        hits[r.policy].append(r.correct)
    return {p: sum(v) / len(v) for p, v in sorted(hits.items())}


def oracle_accuracy(pool: PoolSpec, tasks: list[Task], max_steps: int = 5) -> float | None:
    """Best expected accuracy of any workflow on these tasks, each task's best for its domain and difficulty
    (simulated pools only; None for real ones)."""
    if not pool.simulated or not tasks:
        return None
    return task_oracle_accuracy(pool, tasks, max_steps)


def expected_plan_accuracy(pool: PoolSpec, rows: list[RolloutRow], tasks: list[Task] | None = None) -> float | None:
    """Mean expected accuracy of the workflows these rows hold, under the simulated pool's model.

    Why: a measured accuracy on 60 tasks carries the simulator's coin flips (a standard error of about 6
    points), the oracle beside it does not. Scoring the Conductor's *plans* the way the oracle is scored
    leaves only the sampling of the plans, so a learning curve and its ratio to the oracle can be read
    from one run. A plan that did not parse scores 0, as it does in the reward. None for real pools.
    `tasks` gives each row's task its difficulty (the simulator's irt model); a row whose task is not among
    them is scored at its id's difficulty, as if its source had none of its own.
    """
    if not pool.simulated or not rows:
        return None
    by_id = {t.id: t for t in tasks or ()}
    total = 0.0
    for r in rows:
        if r.workflow is None:
            continue
        lists = json.loads(r.workflow)
        # Stored plans were validated when written; rebuild them without re-applying the run's limits.
        wf = validate_lists(
            lists["model_id"],
            lists["subtasks"],
            lists["access_list"],
            max_steps=10**6,
            allow_empty=True,
            fine_grained=True,
            max_subtask_chars=10**9,
        )
        if wf.steps:  # an accepted previous answer (a recursion round) has no plan of its own to score
            task = by_id.get(r.task_id)
            level = level_of(pool, r.task_id, task.difficulty if task is not None else None)
            total += expected_accuracy(pool, r.domain, wf, level)
    return total / len(rows)


@dataclass(frozen=True)
class MethodSummary:
    """The figures of one method (overall, or on one source): what the terminal table, MLflow and the
    Prefect artifact show. Accuracy leaves out rows with an infrastructure fault (counted in `infra_faults`)."""

    method: str
    source: str  # "all" or a task source
    tasks: int
    repeats: int
    accuracy: float | None
    stderr: float | None
    infra_faults: int
    calls: float  # worker HTTP requests per question (cache hits count 0)
    worker_tokens: float
    usd: float  # worker dollars per question
    conductor_tokens: float
    conductor_usd: float
    latency_p50: float
    latency_p95: float
    parse_failure_rate: float | None = None  # the Conductor only
    mean_steps: float | None = None
    reading_steps: float | None = None  # steps per plan that read earlier outputs

    @property
    def total_usd(self) -> float:
        return self.usd + self.conductor_usd

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total_usd": self.total_usd}


def standard_error(per_repeat: list[float], hits: list[bool]) -> float | None:
    """The standard error of the mean accuracy: over repeats (sample standard deviation / sqrt(R)) when
    there are at least two, else over the tasks of the one repeat (sqrt(p (1 - p) / (n - 1)))."""
    if len(per_repeat) >= 2:
        return statistics.stdev(per_repeat) / math.sqrt(len(per_repeat))
    n = len(hits)
    if n < 2:
        return None
    p = sum(hits) / n
    return math.sqrt(p * (1 - p) / (n - 1))


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))]


def _reading(row: RolloutRow) -> int:
    return sum(1 for s in row.steps if s.visible)


def summarize_method(
    rows: list[RolloutRow], method: str, source: str = "all", conductor_usd_per_mtok: float = 0.0
) -> MethodSummary:
    by_repeat: dict[int, list[bool]] = defaultdict(list)
    for r in rows:
        if r.infra_fault is None:
            by_repeat[r.repeat or 0].append(r.correct)
    per_repeat = [sum(v) / len(v) for _, v in sorted(by_repeat.items()) if v]
    hits = [h for v in by_repeat.values() for h in v]
    n = len(rows) or 1
    ctok = sum((r.conductor_prompt_tokens or 0) + (r.conductor_completion_tokens or 0) for r in rows)
    is_conductor = method.startswith("conductor")
    parsed = [r for r in rows if r.workflow is not None]
    return MethodSummary(
        method=method,
        source=source,
        tasks=len({r.task_id for r in rows}),
        repeats=len({r.repeat or 0 for r in rows}),
        accuracy=sum(per_repeat) / len(per_repeat) if per_repeat else None,
        stderr=standard_error(per_repeat, hits),
        infra_faults=sum(r.infra_fault is not None for r in rows),
        calls=sum(s.attempts for r in rows for s in r.steps) / n,
        worker_tokens=sum(r.prompt_tokens + r.completion_tokens for r in rows) / n,
        usd=sum(r.cost_usd for r in rows) / n,
        conductor_tokens=ctok / n,
        conductor_usd=ctok * conductor_usd_per_mtok / 1e6 / n,
        latency_p50=_quantile([r.latency_s for r in rows], 0.5),
        latency_p95=_quantile([r.latency_s for r in rows], 0.95),
        parse_failure_rate=(1 - len(parsed) / n) if is_conductor else None,
        mean_steps=(sum(r.n_steps for r in parsed) / len(parsed) if parsed else 0.0) if is_conductor else None,
        reading_steps=(sum(_reading(r) for r in parsed) / len(parsed) if parsed else 0.0) if is_conductor else None,
    )


def summarize(rows: list[RolloutRow], conductor_usd_per_mtok: float = 0.0) -> list[MethodSummary]:
    """Every method overall, then per source, in the order the methods first appear."""
    methods = list(dict.fromkeys(r.policy for r in rows))
    sources = sorted({r.source for r in rows})
    out = []
    for m in methods:
        mine = [r for r in rows if r.policy == m]
        out.append(summarize_method(mine, m, "all", conductor_usd_per_mtok))
        if len(sources) > 1:
            for s in sources:
                part = [r for r in mine if r.source == s]
                if part:
                    out.append(summarize_method(part, m, s, conductor_usd_per_mtok))
    return out


def oracle_summaries(pool: PoolSpec, tasks: list[Task], max_steps: int) -> list[MethodSummary]:
    """The oracle as table rows (expected accuracy, no calls): overall and per source; [] for real pools."""
    out = []
    sources = sorted({t.source for t in tasks})
    for source in ["all", *sources] if len(sources) > 1 else ["all"]:
        part = tasks if source == "all" else [t for t in tasks if t.source == source]
        acc = oracle_accuracy(pool, part, max_steps)
        if acc is None:
            return []
        out.append(MethodSummary("oracle", source, len(part), 0, acc, None, 0, 0, 0, 0, 0, 0, 0, 0))
    return out
