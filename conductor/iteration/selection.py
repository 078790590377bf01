"""Which tasks an iteration trains on and which it is evaluated on.

Both draws are balanced across domains (round-robin), so a small iteration still sees math, science and code.
Training tasks change with the iteration (seeded by run seed and iteration); evaluation tasks are the same
held-out set in every iteration, so the learning curve compares like with like.
"""

from __future__ import annotations

import random
from collections import defaultdict

from conductor.seeds import evaluation_tasks_seed, training_tasks_seed
from conductor.tasks.schema import Task


def balanced_sample(tasks: list[Task], n: int, rng: random.Random) -> list[Task]:
    by_domain: dict[str, list[Task]] = defaultdict(list)
    for t in sorted(tasks, key=lambda t: t.id):
        by_domain[t.domain].append(t)
    for pool in by_domain.values():
        rng.shuffle(pool)
    domains = sorted(by_domain)
    rng.shuffle(domains)  # which domain gets the remainder of n changes per draw, not always the first
    out: list[Task] = []
    while len(out) < n and any(by_domain.values()):
        for d in domains:
            if by_domain[d] and len(out) < n:
                out.append(by_domain[d].pop())
    return out


def training_tasks(
    tasks: list[Task], n: int, seed: int, iteration: int, avoid: frozenset[str] = frozenset()
) -> list[Task]:
    """`n` training tasks for an iteration; tasks whose id is in `avoid` (used by the runs a retrain continues)
    are left out while at least `n` others remain, so a retrain sees new tasks where possible."""
    train = [t for t in tasks if t.split == "train"]
    fresh = [t for t in train if t.id not in avoid]
    return balanced_sample(fresh if len(fresh) >= n else train, n, random.Random(training_tasks_seed(seed, iteration)))


def evaluation_tasks(tasks: list[Task], n: int, seed: int) -> list[Task]:
    return balanced_sample([t for t in tasks if t.split == "test"], n, random.Random(evaluation_tasks_seed(seed)))
