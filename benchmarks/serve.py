"""`conductor serve` under load: many concurrent clients with the official openai async client, the SIMULATED
pool at 0.5 s per call, against the ideal, with and without batched Conductor generation.

    python -m benchmarks.serve --checkpoint PATH [--set k=v ...]     # 64 clients x 3 requests, two servers
    python -m benchmarks.serve --checkpoint PATH --quick              # 64 clients x 2 requests
    # last line: serve clients=<n> ratio_to_ideal=<x> batching_gain=<x> p50_s=<s> p99_s=<s>

Set-up: the simulated pool in its own process (benchmarks.processes.SimPoolProcess) with 0.5 s added to every
call, a pool-wide limit of 64 concurrent calls and 24 per worker; `conductor serve` in its own process in front
of it; this process runs N clients, each sending its requests one after another (prepared test questions,
seeded), all through one openai.AsyncOpenAI. The same load runs twice: batched generation (the server's
default: plans asked for within 10 ms share one `generate` call, up to 64) and one-at-a-time (--max-batch 1).

Ideal (the executor benchmark's definition plus the Conductor's own generation time): a request cannot take
less than its workflow's longest chain x 0.5 s plus the time of the generate calls its plan samples came from
(reported by the server in `conductor.usage.conductor.generate_s`); a client's requests follow each other, so
the ideal makespan is the largest of: the slowest client's sum of those; 0.5 s x ceil(all calls / 64); and,
per worker, 0.5 s x ceil(its calls / 24). `ratio_to_ideal` = ideal / measured makespan of the batched run;
`batching_gain` = requests per second batched / one-at-a-time; p50/p99 are the batched run's request latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import openai
import yaml

from benchmarks.executor import bench_pool
from benchmarks.processes import ConductorProcess, SimPoolProcess
from conductor.config import Paths
from conductor.tasks.io import read_tasks, write_tasks

KEY = "bench-key"
LATENCY = 0.5


def chain_of(lists: dict[str, Any]) -> int:
    depth: list[int] = []
    for i, acc in enumerate(lists["access_list"]):
        seen = range(i) if acc == ["all"] else [j for j in acc if isinstance(j, int)]
        depth.append(1 + max((depth[j] for j in seen), default=0))
    return max(depth, default=0)


async def load(url: str, questions: list[str], clients: int, per_client: int) -> dict[str, Any]:
    ac = openai.AsyncOpenAI(base_url=url, api_key=KEY, max_retries=0, timeout=600)
    # warm-up: one request, so the model's first call and the connections are not in the figure
    await ac.chat.completions.create(model="conductor", messages=[{"role": "user", "content": questions[0]}], seed=0)
    latencies: list[float] = []
    per_client_ideal: list[float] = []
    lists: list[dict[str, Any]] = []
    failures = 0

    async def client(c: int) -> None:
        nonlocal failures
        ideal = 0.0
        for k in range(per_client):
            q = questions[(c * per_client + k) % len(questions)]
            t0 = time.perf_counter()
            try:
                r = await ac.chat.completions.create(
                    model="conductor", messages=[{"role": "user", "content": q}], seed=1000 * c + k
                )
            except openai.APIError:
                failures += 1
                continue
            latencies.append(time.perf_counter() - t0)
            ext = r.conductor  # type: ignore[attr-defined]
            wf = ext["rounds"][-1]["workflow"] if ext["rounds"] else None
            chain = chain_of(wf) if wf and "access_list" in wf else 1
            lists.extend(rd["workflow"] for rd in ext["rounds"] if rd["workflow"])
            ideal += chain * LATENCY + ext["usage"]["conductor"]["generate_s"]
        per_client_ideal.append(ideal)

    t0 = time.perf_counter()
    await asyncio.gather(*(client(c) for c in range(clients)))
    makespan = time.perf_counter() - t0
    await ac.close()
    calls = sum(len(w["model_id"]) for w in lists)
    per_worker = Counter(wid for w in lists for wid in w["model_id"])
    bounds = {
        "clients": max(per_client_ideal),
        "global": LATENCY * math.ceil(calls / 64),
        "worker": max((LATENCY * math.ceil(n / 24) for n in per_worker.values()), default=0.0),
    }
    lat = sorted(latencies)
    return {
        "requests": len(latencies),
        "failures": failures,
        "calls": calls,
        "makespan_s": makespan,
        "rps": len(latencies) / makespan,
        "ideal_s": max(bounds.values()),
        "bounds": bounds,
        "p50_s": statistics.median(lat),
        "p99_s": lat[min(len(lat) - 1, math.ceil(0.99 * len(lat)) - 1)],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="the Conductor to serve (a folder, or 'latest')")
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="run config it is prompted with")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--requests", type=int, default=3, help="requests per client, one after another")
    ap.add_argument("--quick", action="store_true", help="2 requests per client")
    ap.add_argument("--torch-threads", type=int, default=None, help="passed to conductor serve")
    args = ap.parse_args(argv)
    per_client = 2 if args.quick else args.requests
    paths = Paths()
    tasks = [t for f in sorted(paths.tasks.glob("*.parquet")) for t in read_tasks(f) if t.split == "test"]
    tasks = [t for t in tasks if t.domain != "code"][: args.clients * per_client]
    if not tasks:
        raise SystemExit("no prepared tasks: run `conductor prepare` (or set CONDUCTOR_HOME)")
    with tempfile.TemporaryDirectory() as tmp:
        tasks_file = Path(tmp) / "tasks.parquet"
        write_tasks(tasks, tasks_file)
        with SimPoolProcess(tasks_file, LATENCY) as sim:
            pool_file = Path(tmp) / "pool.yaml"
            pool = bench_pool(sim.url, 64, 24)
            pool_file.write_text(yaml.safe_dump(pool.model_dump(mode="json"), sort_keys=False))
            results = {}
            env = {**os.environ, "CONDUCTOR_API_KEY": KEY}
            flags = ["--max-concurrent", "512", *[a for s in args.overrides for a in ("--set", s)]]
            if args.torch_threads:
                flags += ["--torch-threads", str(args.torch_threads)]
            for name, extra in (("batched", []), ("one_at_a_time", ["--max-batch", "1"])):
                with ConductorProcess(args.checkpoint, pool_file, [*flags, *extra], env=env) as server:
                    results[name] = asyncio.run(load(server.url, [t.question for t in tasks], args.clients, per_client))
                    with urllib.request.urlopen(server.url.removesuffix("/v1") + "/health", timeout=10) as h:
                        results[name]["batching"] = json.loads(h.read())["batching"]
                r = results[name]
                bounds = ", ".join(f"{k} {v:.1f}s" for k, v in r["bounds"].items())
                print(
                    f"{name:14s} requests={r['requests']} failures={r['failures']} calls={r['calls']} "
                    f"makespan={r['makespan_s']:.1f}s ideal={r['ideal_s']:.1f}s ({bounds}) "
                    f"req/s={r['rps']:.2f} p50={r['p50_s']:.2f}s p99={r['p99_s']:.2f}s batching={r['batching']}",
                    flush=True,
                )
    b, o = results["batched"], results["one_at_a_time"]
    out = {
        "clients": args.clients,
        "ratio_to_ideal": b["ideal_s"] / b["makespan_s"],
        "batching_gain": b["rps"] / o["rps"],
        "p50_s": b["p50_s"],
        "p99_s": b["p99_s"],
    }
    print(
        f"serve clients={out['clients']} ratio_to_ideal={out['ratio_to_ideal']:.3f} "
        f"batching_gain={out['batching_gain']:.2f} p50_s={out['p50_s']:.2f} p99_s={out['p99_s']:.2f}"
    )
    return out


if __name__ == "__main__":
    main()
