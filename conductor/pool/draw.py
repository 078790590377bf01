"""Drawing a random pool for each prompt (the paper's randomized-pool fine-tune; its details are ours).

Our documented choice (docs/design.md): the pool size k is uniform in [pool_min, pool_max] (0 = the full
pool), the members a uniform k-subset, and workers keep their global ids, so the id -> worker mapping the
Conductor learns stays stable.
"""

from __future__ import annotations

import random

from conductor.pool.spec import PoolSpec


def draw_pool(pool: PoolSpec, rng: random.Random, pool_min: int = 0, pool_max: int = 0) -> tuple[int, ...]:
    ids = list(pool.ids)
    n = len(ids)
    if pool_min <= 0 and pool_max <= 0:
        return tuple(ids)
    lo = max(1, min(pool_min or 1, n))
    hi = max(lo, min(pool_max or n, n))
    k = rng.randint(lo, hi)
    return tuple(sorted(rng.sample(ids, k)))
