"""Synthetic simulated workers, drawn at random and described in words from their own profiles.

Why: a Conductor that only ever sees the same five ids learns what each id is good for and never reads a
description. Workers drawn afresh, whose descriptions are the only way to know them, make reading pay
(issue 18, item 4). The description is written from the profile by fixed rules, so it is true by
construction and a test can read it back:

  skill  >= 0.75 "strong at", 0.55-0.75 "fair at", < 0.55 "weak at" (per domain, in DOMAINS order)
  judge  the domains where judge >= 0.75: "a reliable checker of ... answers"
  price  price_out >= 5 "expensive", <= 1 "cheap", else "mid-priced"
  speed  latency_s >= 0.02 "slow", else "fast"

    pool = draw_pool(seed=3, n=5)        # a PoolSpec, simulated, ids 0..4, the irt model

The shipped testbed pool for training on descriptions (docs/simulator.md, "Training on synthetic workers"):
`synthetic_pool.yaml`, 16 workers drawn with seed 0, written by

    python -m conductor.sim.generator --seed 0 --n 16 --out conductor/sim/synthetic_pool.yaml

Training offers sub-pools of workers 0-11 only (`rollout.train_workers`); 12-15 are held out for evaluation
(`eval.workers`), so they are never drawn in training and the Conductor knows them by description alone.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

from conductor.pool.spec import PoolSpec, SimModel, SimProfile, WorkerSpec

DOMAINS: tuple[str, ...] = ("math", "science", "code")
STRONG, FAIR = 0.75, 0.55
RELIABLE_JUDGE = 0.75
EXPENSIVE, CHEAP = 5.0, 1.0
SLOW = 0.02
SYNTHETIC_POOL_FILE = Path(__file__).with_name("synthetic_pool.yaml")
SYNTHETIC_SEED, SYNTHETIC_SIZE = 0, 16
TRAIN_WORKERS: tuple[int, ...] = tuple(range(12))  # what training may offer on the shipped synthetic pool
HELD_OUT_WORKERS: tuple[int, ...] = (12, 13, 14, 15)  # never drawn in training: evaluation only
_NOUNS = {"math": "math", "science": "science multiple choice", "code": "writing code"}


def skill_word(skill: float) -> str:
    return "strong" if skill >= STRONG else "fair" if skill >= FAIR else "weak"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_worker(profile: SimProfile, price_out: float) -> str:
    """The worker in words, from its profile alone (rules in the module docstring)."""
    parts = []
    for word in ("strong", "fair", "weak"):
        domains = [_NOUNS[d] for d in DOMAINS if skill_word(profile.skill.get(d, 0.0)) == word]
        if domains:
            parts.append(f"{word} at {_join(domains)}")
    text = "Simulated model: " + "; ".join(parts) + "."
    checks = [d for d in DOMAINS if profile.judge.get(d, 0.0) >= RELIABLE_JUDGE]
    if checks:
        text += f" A reliable checker of {_join(checks)} answers."
    price = "expensive" if price_out >= EXPENSIVE else "cheap" if price_out <= CHEAP else "mid-priced"
    speed = "slow" if profile.latency_s >= SLOW else "fast"
    return f"{text} {price.capitalize()} and {speed}."


def draw_worker(rng: random.Random, worker_id: int) -> WorkerSpec:
    """One synthetic worker: a specialty domain (skill 0.75-0.9), the others 0.25-0.7, judges 0.3-0.95."""
    special = rng.choice(DOMAINS)
    skill = {d: round(rng.uniform(0.75, 0.9) if d == special else rng.uniform(0.25, 0.7), 2) for d in DOMAINS}
    judge = {d: round(rng.uniform(0.3, 0.95), 2) for d in DOMAINS}
    latency = rng.choice((0.005, 0.01, 0.03))
    price_out = round(rng.choice((0.3, 2.0, 10.0, 15.0)) * rng.uniform(0.8, 1.2), 2)
    profile = SimProfile(skill=skill, judge=judge, latency_s=latency)
    name = f"synth-{worker_id}-{rng.randrange(16**6):06x}"
    return WorkerSpec(
        id=worker_id,
        name=name,
        model=name,
        description=describe_worker(profile, price_out),
        price_in=round(price_out / 6, 3),
        price_out=price_out,
        sim=profile,
    )


def draw_pool(seed: int, n: int = 5, first_id: int = 0, model: SimModel | None = None) -> PoolSpec:
    """`n` synthetic workers with ids first_id.. (deterministic in `seed`), as a simulated pool."""
    rng = random.Random(seed)
    workers = tuple(draw_worker(rng, first_id + i) for i in range(n))
    return PoolSpec(name=f"synthetic-{seed}", simulated=True, workers=workers, sim_model=model or SimModel())


def synthetic_recipe(pool_file: str | Path = SYNTHETIC_POOL_FILE) -> list[str]:
    """The run-config overrides that train on the synthetic pool's training workers in descriptions mode and
    evaluate each iteration on the held-out workers (the tiny recipe's testbed; `--set` syntax)."""
    ids = ",".join(str(i) for i in TRAIN_WORKERS)
    held = ",".join(str(i) for i in HELD_OUT_WORKERS)
    return [
        f"pool_file={pool_file}",
        "policy.prompt_mode=descriptions",
        f"rollout.train_workers=[{ids}]",
        f"eval.workers=[{held}]",
    ]


HEADER = """\
# A SIMULATED pool of synthetic workers, written by conductor.sim.generator (seed {seed}, {n} workers): each
# worker's description is written from its profile by the generator's fixed rules, so it is true by
# construction. The testbed for training on descriptions (docs/simulator.md, "Training on synthetic
# workers"): training offers sub-pools of the workers in rollout.train_workers only, evaluation uses the
# others (eval.workers), which are never drawn in training. Regenerate with
#   python -m conductor.sim.generator --seed {seed} --n {n} --out FILE
"""


def write_pool_file(path: str | Path, seed: int = SYNTHETIC_SEED, n: int = SYNTHETIC_SIZE) -> PoolSpec:
    """Draw `n` workers with `seed` and write them as a pool file (what `load_pool` reads back)."""
    pool = draw_pool(seed, n)
    data = pool.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data = {"name": pool.name, "simulated": True, "sim_model": pool.sim_model.model_dump(), **data}
    text = HEADER.format(seed=seed, n=n) + yaml.safe_dump(data, sort_keys=False, width=120)
    Path(path).write_text(text)
    return pool


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Write a pool file of synthetic SIMULATED workers.")
    ap.add_argument("--seed", type=int, default=SYNTHETIC_SEED)
    ap.add_argument("--n", type=int, default=SYNTHETIC_SIZE)
    ap.add_argument("--out", required=True, help="pool YAML to write")
    args = ap.parse_args(argv)
    pool = write_pool_file(args.out, args.seed, args.n)
    print(f"wrote {len(pool.workers)} synthetic workers to {args.out}")


if __name__ == "__main__":
    main()
