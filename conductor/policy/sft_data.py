"""Synthetic valid workflows: the targets of the supervised warm start (and text for the tiny tokenizer).

A randomly initialised Conductor cannot write three parseable lists, so GRPO would see reward 0 everywhere
and learn nothing. The warm start teaches only the *format*: worker ids are drawn uniformly, so it carries no
preference that GRPO would have to unlearn. Topologies follow the paper's few-shot shapes (single answer;
attempt -> check -> refine; independent attempts -> aggregator; a mix), 1 to `max_steps` steps.
This is our choice ([open] in the paper, which warm-starts nothing: its 7B base already writes the format).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from conductor.workflow.schema import MAX_STEPS, Step, Workflow

SOLVE = ["Solve the problem.", "Solve the problem independently.", "Solve the problem step by step."]
PLAN = ["Plan the solution in short steps, without solving it."]
CHECK = ["Check the answer above and fix any mistake.", "Verify the solution above carefully."]
AGGREGATE = ["Review the answers above and give the final answer.", "Compare the answers above and pick the best one."]
FINAL = ["Give the final answer in <answer> tags."]


def random_workflow(rng: random.Random, pool_ids: Sequence[int], max_steps: int = MAX_STEPS) -> Workflow:
    """One valid workflow over `pool_ids`.

    The access entry follows from the subtask's role: a step that solves from scratch reads nothing ([]),
    a step that checks, reviews or aggregates reads everything before it (["all"]). Besides being sensible,
    this lets a tiny model write the access list by copying roles rather than by counting.
    """
    shape = rng.choice(["single", "chain", "parallel", "mix"])
    n = 1 if shape == "single" else rng.randint(2, max(2, max_steps))
    n = min(n, max_steps)
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
            subtask = rng.choice(CHECK + AGGREGATE + FINAL if i == n - 1 else CHECK)
        else:
            subtask = rng.choice(SOLVE + PLAN if i == 0 and shape == "mix" else SOLVE)
        steps.append(Step(worker=rng.choice(list(pool_ids)), subtask=subtask, access="all" if reads else "none"))
    return Workflow(steps=tuple(steps))


def random_workflow_texts(
    n: int, pool_ids: Sequence[int], seed: int = 0, max_steps: int = MAX_STEPS
) -> list[str]:
    """`n` rendered workflows (the three-list text a Conductor writes), each ending the assistant turn."""
    rng = random.Random(seed)
    return [random_workflow(rng, pool_ids, max_steps).render() for _ in range(n)]
