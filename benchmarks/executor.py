"""How close the executor gets to the ideal throughput that dependency chains and concurrency limits allow.

    python -m benchmarks.executor            # 1,000 workflows (about two minutes)
    python -m benchmarks.executor --quick    # 400 workflows, under a minute

Set-up: the SIMULATED pool served by a separate process on 127.0.0.1 (so the server does not share the
client's interpreter), 0.5 s of injected latency per call, a global limit of 64 concurrent calls and a
per-worker limit (default 24). Workflows have 1-5 steps with random workers and access lists, so each one's
longest dependency chain is known.

The ideal makespan is the largest of three lower bounds, each exact for calls that take the latency L:
the longest chain times L; L times ceil(all calls / the global limit) (a slot finishes at most one call per
L); and, for each worker, L times ceil(its calls / its limit).
`ratio_to_ideal` = ideal time / measured time. `sequential_ratio` is the same for a plain sequential
executor (one workflow after another, steps in order, as the paper runs them), measured on a sample and
compared per workflow. The client's own ceiling (calls per second with no latency at all) is reported so
the ideal can be checked against what one process can drive. The last line is machine-readable:

    executor ratio_to_ideal=<x> sequential_ratio=<y> workflows_per_s=<z>
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.processes import SimPoolProcess
from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec, load_pool
from conductor.tasks.schema import Task
from conductor.workflow.executor import ExecutionRequest, execute_many, execute_sequential
from conductor.workflow.schema import Step, Workflow
from conductor.workflow.worker_prompt import worker_messages


def make_tasks(n: int = 40) -> list[Task]:
    return [
        Task(
            id=f"bench/{i}",
            source="bench",
            domain="math",
            verifier="math",
            answer=str(i * 7),
            question=f"Benchmark question {i}: what is {i} * 7? Answer in <answer></answer>.",
        )
        for i in range(n)
    ]


def make_workflows(n: int, worker_ids: list[int], seed: int) -> list[Workflow]:
    """1-5 steps; each step [] or "all" at random (step 0 is []); random workers."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(1, 5)
        steps = [
            Step(
                worker=rng.choice(worker_ids),
                subtask="Solve the problem." if i == 0 else "Check the answers above.",
                access="none" if i == 0 or rng.random() < 0.4 else "all",
            )
            for i in range(k)
        ]
        out.append(Workflow(steps=tuple(steps)))
    return out


def chain_length(w: Workflow) -> int:
    depth: list[int] = []
    for i, s in enumerate(w.steps):
        depth.append(1 + max((depth[j] for j in s.visible(i)), default=0))
    return max(depth)


def ideal_seconds(workflows: list[Workflow], pool: PoolSpec, latency: float) -> dict[str, float]:
    calls = sum(len(w.steps) for w in workflows)
    per_worker = Counter(s.worker for w in workflows for s in w.steps)
    bounds = {
        "chain": latency * max(chain_length(w) for w in workflows),
        "global": latency * math.ceil(calls / pool.max_concurrency),
        "worker": max(latency * math.ceil(c / pool.worker(wid).max_concurrency) for wid, c in per_worker.items()),
    }
    bounds["ideal"] = max(bounds.values())
    return bounds


def bench_pool(url: str, global_limit: int, worker_limit: int) -> PoolSpec:
    base = load_pool().with_base_url(url)
    workers = tuple(w.model_copy(update={"max_concurrency": worker_limit}) for w in base.workers)
    return base.model_copy(update={"workers": workers, "max_concurrency": global_limit})


async def _executor(workflows: list[Workflow], questions: list[str], pool: PoolSpec) -> tuple[float, int]:
    client = PoolClient(pool)
    jobs = [ExecutionRequest(w, questions[i % len(questions)], seed=i) for i, w in enumerate(workflows)]
    t0 = time.perf_counter()
    out = await execute_many(jobs, client)
    elapsed = time.perf_counter() - t0
    await client.aclose()
    return elapsed, sum(not e.ok for e in out)


async def _sequential(workflows: list[Workflow], questions: list[str], pool: PoolSpec) -> float:
    client = PoolClient(pool)
    t0 = time.perf_counter()
    for i, w in enumerate(workflows):
        await execute_sequential(w, questions[i % len(questions)], client, seed=i)
    elapsed = time.perf_counter() - t0
    await client.aclose()
    return elapsed


async def _ceiling(pool: PoolSpec, question: str, n: int) -> float:
    """Calls per second the client sustains against a zero-latency server at the global limit."""
    wide = pool.model_copy(
        update={"workers": tuple(w.model_copy(update={"max_concurrency": pool.max_concurrency}) for w in pool.workers)}
    )
    client = PoolClient(wide)
    msgs = worker_messages(question, "Solve the problem.", [])
    t0 = time.perf_counter()
    await asyncio.gather(*[client.call(pool.workers[i % len(pool.workers)].id, msgs, seed=i) for i in range(n)])
    elapsed = time.perf_counter() - t0
    await client.aclose()
    return n / elapsed


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="400 workflows, a smaller sequential sample (under a minute)")
    ap.add_argument("--workflows", type=int, default=None, help="workflows to execute (default 1000; quick 400)")
    ap.add_argument("--latency", type=float, default=0.5, help="injected latency per call, seconds")
    ap.add_argument("--global-limit", type=int, default=64)
    ap.add_argument("--worker-limit", type=int, default=24)
    ap.add_argument(
        "--sequential-sample", type=int, default=None, help="workflows run sequentially (default 30; quick 6)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    n = args.workflows or (400 if args.quick else 1000)
    n_seq = args.sequential_sample or (6 if args.quick else 30)

    tasks = make_tasks()
    questions = [t.question for t in tasks]
    with tempfile.TemporaryDirectory() as tmp:
        tasks_path = Path(tmp) / "tasks.parquet"
        pq.write_table(pa.Table.from_pylist([t.to_row() for t in tasks]), tasks_path)
        with SimPoolProcess(tasks_path, args.latency) as slow:
            pool = bench_pool(slow.url, args.global_limit, args.worker_limit)
            workflows = make_workflows(n, list(pool.ids), args.seed)
            bounds = ideal_seconds(workflows, pool, args.latency)
            elapsed, failed = asyncio.run(_executor(workflows, questions, pool))
            sample = workflows[:n_seq]
            seq_elapsed = asyncio.run(_sequential(sample, questions, pool))
        with SimPoolProcess(tasks_path, 0.0) as fast:
            ceiling = asyncio.run(
                _ceiling(
                    bench_pool(fast.url, args.global_limit, args.worker_limit),
                    questions[0],
                    300 if args.quick else 1500,
                )
            )

    calls = sum(len(w.steps) for w in workflows)
    ideal_wps = n / bounds["ideal"]
    wps = n / elapsed
    seq_wps = n_seq / seq_elapsed
    result = {
        "workflows": n,
        "calls": calls,
        "latency_s": args.latency,
        "global_limit": args.global_limit,
        "worker_limit": args.worker_limit,
        "max_chain": max(chain_length(w) for w in workflows),
        "ideal_s": bounds["ideal"],
        "bound_chain_s": bounds["chain"],
        "bound_global_s": bounds["global"],
        "bound_worker_s": bounds["worker"],
        "elapsed_s": elapsed,
        "failed": failed,
        "workflows_per_s": wps,
        "ideal_workflows_per_s": ideal_wps,
        "ratio_to_ideal": bounds["ideal"] / elapsed,
        "sequential_sample": n_seq,
        "sequential_elapsed_s": seq_elapsed,
        "sequential_workflows_per_s": seq_wps,
        "sequential_ratio": seq_wps / ideal_wps,
        "client_ceiling_calls_per_s": ceiling,
        "needed_calls_per_s": calls / bounds["ideal"],
        "cpus": os.cpu_count(),
    }
    for k, v in result.items():
        print(f"{k:>30}: {v:.3f}" if isinstance(v, float) else f"{k:>30}: {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    print(
        f"executor ratio_to_ideal={result['ratio_to_ideal']:.3f} sequential_ratio={result['sequential_ratio']:.4f} "
        f"workflows_per_s={wps:.2f}"
    )
    return result


if __name__ == "__main__":
    main()
