"""Random valid workflows: the `random` evaluation baseline, and the targets of the tiny recipe's warm start.

As a baseline, a random plan is what a Conductor that learned nothing but the format would score. As warm-
start targets (conductor/tiny/), they teach a randomly initialised Conductor only the *format*: worker ids
are drawn uniformly, so they carry no preference that GRPO would have to unlearn. Topologies follow the
paper's few-shot shapes (single answer; attempt -> check -> refine; independent attempts -> aggregator; a
mix), 1 to `max_steps` steps. Our choice ([open] in the paper, whose random baseline is not specified).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from conductor.workflow.schema import MAX_STEPS, Step, Workflow

SOLVE = ["Solve the problem.", "Solve it step by step."]
PLAN = ["Plan the solution."]
CHECK = ["Check the answer above."]
AGGREGATE = ["Give the final answer."]
# P(n steps) for n = 1..5: most mass on short plans (the paper's Conductor averages about 3 steps).
STEP_WEIGHTS = (0.25, 0.25, 0.2, 0.15, 0.15)


def random_workflow(
    rng: random.Random,
    pool_ids: Sequence[int],
    max_steps: int = MAX_STEPS,
    same_worker: float = 0.0,
    first: int | None = None,
) -> Workflow:
    """One valid workflow over `pool_ids`, of 1 to `max_steps` steps.

    The access entry follows from the subtask's role: a step that solves from scratch reads nothing ([]);
    a step that checks or aggregates reads everything before it (["all"]); the last of several steps always
    does. Besides being sensible, this lets a tiny model write the access list by copying roles rather than
    by counting, and a small phrase set leaves it little to learn but the structure: both halve the warm-up.

    With probability `same_worker` every step goes to one worker (still drawn uniformly): a plan that reuses
    its first worker, so that once GRPO has learnt which worker suits a question, longer plans inherit it.
    `first`, when given, is the first step's worker (and the one worker of such a plan).
    """
    weights = STEP_WEIGHTS[:max_steps]
    n = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
    shape = rng.choice(["chain", "parallel", "mix"])
    same = same_worker > 0 and rng.random() < same_worker
    only = (first if first is not None else rng.choice(list(pool_ids))) if same else None
    steps: list[Step] = []
    for i in range(n):
        if i == 0:
            reads = False
        elif i == n - 1:
            reads = True
        elif shape == "parallel":
            reads = False
        elif shape == "chain":
            reads = True
        else:
            reads = rng.random() < 0.5
        if reads:
            subtask = rng.choice(CHECK + AGGREGATE if i == n - 1 else CHECK)
        else:
            subtask = rng.choice(SOLVE + PLAN if i == 0 and shape == "mix" and n > 1 else SOLVE)
        if only is not None:
            worker = only
        elif i == 0 and first is not None:
            worker = first
        else:
            worker = rng.choice(list(pool_ids))
        steps.append(Step(worker=worker, subtask=subtask, access="all" if reads else "none"))
    return Workflow(steps=tuple(steps))


def random_workflow_texts(n: int, pool_ids: Sequence[int], seed: int = 0, max_steps: int = MAX_STEPS) -> list[str]:
    """`n` rendered workflows (the three-list text a Conductor writes), each ending the assistant turn."""
    rng = random.Random(seed)
    return [random_workflow(rng, pool_ids, max_steps).render() for _ in range(n)]
