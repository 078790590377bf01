"""Data parallelism for the GRPO update: N processes (one per GPU) share each optimizer step's micro-batches.

Why not DistributedDataParallel: an optimizer step accumulates over micro-batches whose count need not divide
by the number of processes, and DDP all-reduces on every backward pass, so every process would have to run as
many as the others. Here each process runs its own micro-batches (number k where k % world == rank), and the
gradients are summed once per optimizer step. Each micro-batch's loss is already divided by the step's global
count of micro-batches (bnpo) or tokens (dapo), so the sum is the single-process gradient, up to the order of
float additions, and every process then takes the same step and keeps the same weights. The process group is
accelerate's (`PartialState`, conductor/iteration/update_process.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Shard:
    """This process's place among `world` processes; `Shard()` is the plain single-process update."""

    rank: int = 0
    world: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.rank < self.world:
            raise ValueError(f"rank {self.rank} is not one of {self.world} processes")

    def owns(self, k: int) -> bool:
        return k % self.world == self.rank

    def sum_gradients(self, params: Iterable[torch.nn.Parameter]) -> None:
        """Sum every parameter's gradient over the processes (a process that saw no rows adds zeros)."""
        if self.world == 1:
            return
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
            dist.all_reduce(p.grad)

    def sum(self, values: list[float]) -> list[float]:
        return self._reduce(values, "sum")

    def max(self, values: list[float]) -> list[float]:
        return self._reduce(values, "max")

    def _reduce(self, values: list[float], op: str) -> list[float]:
        if self.world == 1:
            return list(values)
        t = torch.tensor(values, dtype=torch.float64)
        if dist.get_backend() == "nccl":
            t = t.cuda()
        dist.all_reduce(t, op=dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX)
        return t.cpu().tolist()
