"""Every seed the project derives, in one module: from a run's seed to each draw, sample and worker call.

Each derived seed is a 31-bit number from a hash of what it is for, so it depends only on its parts and not
on the order things run in (concurrent workflows, resumed runs, a re-run evaluation give the same numbers).
The formulas are the ones results were recorded with; changing one moves every figure that depends on it.
"""

from __future__ import annotations

import hashlib
import random


def _hash31(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF


def derive(*parts: object) -> int:
    """A stable seed from any parts (run seed, iteration, task, sample ...), independent of call order."""
    return _hash31("|".join(str(p) for p in parts))


def step_seed(seed: int, index: int) -> int:
    """The worker request seed of step `index` of a workflow executed with `seed`."""
    return _hash31(f"conductor-step:{seed}:{index}")


def round_seed(seed: int, round_index: int) -> int:
    """The execution seed of round `round_index` of an inference-time recursion (`run_rounds`) with `seed`."""
    return _hash31(f"conductor-round:{seed}:{round_index}")


def rollout_seed(seed: int, task_id: str, group_id: str, sample: int, round_index: int) -> int:
    """The execution seed of one rollout of a batch (training or evaluation)."""
    return derive(seed, task_id, group_id, sample, round_index)


def pools_seed(seed: int, iteration: int) -> int:
    """Seeds the random sub-pool drawn for each prompt of an iteration."""
    return derive(seed, iteration, "pools")


def generation_seed(seed: int, iteration: int) -> int:
    """Seeds the Conductor's first-round samples of an iteration."""
    return derive(seed, iteration, "generate")


def recursion_generation_seed(seed: int, iteration: int) -> int:
    """Seeds the Conductor's round-1 continuations of an iteration (the recursion fine-tune)."""
    return derive(seed, iteration, "generate-recursion")


def training_tasks_seed(seed: int, iteration: int) -> int:
    """Seeds the draw of an iteration's training tasks."""
    return derive(seed, "train", iteration)


def evaluation_tasks_seed(seed: int) -> int:
    """Seeds the draw of the held-out tasks (the same in every iteration)."""
    return derive(seed, "eval")


def random_baseline_seed(seed: int) -> int:
    """Seeds the `random` baseline's plans."""
    return derive(seed, "random-baseline")


def evaluation_seed(seed: int) -> int:
    """The run seed an evaluation samples and executes with: apart from training's, the same every iteration."""
    return seed + 1


def planner_seed(seed: int, call: int) -> int:
    """The sampling seed of a planner's `call`-th generation (1-based), at inference."""
    return seed + call


def source_rng(*parts: object) -> random.Random:
    """The generator a task source draws with (choice shuffles per item, generated tasks), from its parts."""
    return random.Random(":".join(str(p) for p in parts))


def repeat_seed(seed: int, repeat: int) -> int:
    """The seed of repeat `repeat` of an evaluation run with `seed`; repeat 0 keeps `seed` itself, so a
    one-repeat evaluation samples and executes exactly as the per-iteration evaluation always has."""
    return seed if repeat == 0 else derive(seed, "repeat", repeat)


def moa_aggregator_seed(seed: int, task_id: str) -> int:
    """Seeds the draw of the worker that aggregates the `moa` baseline's proposals for one task."""
    return derive(seed, "moa-aggregator", task_id)


def retrain_seed(root_seed: int, generation: int) -> int:
    """The run seed of the `generation`-th retrain continuing a lineage that began with `root_seed`, so each
    scheduled retrain draws new tasks, pools and samples."""
    return derive(root_seed, generation, "retrain")
