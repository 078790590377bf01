"""Worker pools: who the workers are (spec) and how they are called (client)."""

from conductor.pool.spec import PoolSpec, SimProfile, WorkerSpec, load_pool

__all__ = ["PoolSpec", "SimProfile", "WorkerSpec", "load_pool"]
