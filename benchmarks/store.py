"""Store query speed: steps stored as JSON text (before) against typed steps (now), at 1M, 5M and 10M rollouts.

    python -m benchmarks.store                                  # 1M, 5M, 10M rollouts
    python -m benchmarks.store --sizes 1M --repeats 1           # a quick look
    # last line: store <layout>_<size>_<group>_s=<slowest query of the group, seconds> ...

It builds one synthetic store of the largest size in a temporary folder, streamed out part by part (one
iteration of 100,000 rollouts per part: 90% train, 10% eval), in both layouts: typed (what
conductor.store writes now) and JSON (steps and pool as JSON text, LAYOUT 1, what it wrote before). Smaller
sizes are the first iterations of the same store (hard links, no extra disk). Each query runs `--repeats`
times and the best time is kept (a query slower than 10 s runs once), under three readers:
  - json-before: JSON parts through the views as they were (03_steps.sql unpacking steps with json_each),
                 timed up to --before-max (1M by default: beyond, it takes minutes per query);
  - json-now:    the same JSON parts through today's views (conductor.store.legacy converts them);
  - typed:       typed parts through today's views.
The three must give the same rows for every query (floats compared to 6 significant digits); a
mismatch is printed and makes the command exit 1.

Shape of the synthetic rollouts (realistic sizes, chosen from the shipped worker prompt and the simulated
pool's replies; say so if you change them): 0 steps for 5% (plans that did not parse), else 1-5 steps
uniformly; 10 workers, pools of 3-7; groups of 8 samples of one task. Texts are random words (they compress
about as much as English does), unique per rollout: question 150-450 characters, subtask 30-150, worker
output 60-900; each step's messages are the worker prompt as conductor.workflow.worker_prompt builds it
(system line, user message = preamble + question + the previous step's output when the step reads it +
subtask, assistant prefill), so a step's JSON record is about 1.6 kB and a rollout's steps about 4.5 kB.
The Conductor prompt is a 400-character header + the question (the real few-shot prompt is longer; no
timed query reads it) and completions hold 16 token ids (real ones are longer, likewise unread).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conductor.config import Paths
from conductor.store.db import SQL_DIR, connect, saved_query
from conductor.store.legacy import parquet_files_sql
from conductor.store.schema import ROLLOUT_SCHEMA
from conductor.store.steps import STEPS_TYPE
from conductor.workflow.worker_prompt import ASSISTANT_PREFILL, PREAMBLE, SUBTASK_PREFIX, SYSTEM_MESSAGE

PART = 100_000
SLOW_S = 10.0
WORKERS = 10
DOMAINS = ["math", "code", "science", "medicine"]
LAYOUT_1 = pa.schema([f.with_type(pa.string()) if f.name in ("steps", "pool") else f for f in ROLLOUT_SCHEMA])

# The steps view before typed steps (sql/views/03_steps.sql at the commit before this benchmark).
STEPS_VIEW_BEFORE = """CREATE OR REPLACE VIEW steps AS
SELECT
    r.run_id, r.iteration, r.phase, r.rollout_id, r.task_id, r.domain, r.policy,
    CAST(s.value ->> 'index' AS INTEGER) AS step,
    CAST(s.value ->> 'worker' AS INTEGER) AS worker,
    s.value ->> 'subtask' AS subtask,
    s.value ->> 'access' AS access,
    s.value ->> 'output' AS output,
    CAST(s.value ->> 'prompt_tokens' AS BIGINT) AS prompt_tokens,
    CAST(s.value ->> 'completion_tokens' AS BIGINT) AS completion_tokens,
    CAST(s.value ->> 'cost_usd' AS DOUBLE) AS cost_usd,
    CAST(s.value ->> 'latency_s' AS DOUBLE) AS latency_s,
    CAST(s.value ->> 'cached' AS BOOLEAN) AS cached,
    s.value ->> 'error' AS error
FROM rollouts r, json_each(CAST(r.steps AS JSON)) s;"""

QUERIES: dict[str, tuple[str, str]] = {  # name -> (group, sql)
    "rollouts by iteration and domain": (
        "rollouts",
        "select run_id, iteration, phase, domain, count(*), avg(reward), sum(cost_usd), avg(n_steps) "
        "from rollouts group by all",
    ),
    "iterations view": ("rollouts", "select * from iterations"),
    "workers view": ("steps", "select * from workers"),
    "calls and cost per worker and domain": (
        "steps",
        "select domain, worker, count(*), sum(cost_usd), sum(prompt_tokens + completion_tokens) "
        "from steps group by all",
    ),
    "cache hits, errors, latency per worker": (
        "steps",
        "select worker, count(*) filter (where cached), count(*) filter (where error is not null), "
        "avg(latency_s) from steps group by all",
    ),
    **{
        f"saved: {p.stem}": ("steps" if "from steps" in p.read_text().lower() else "rollouts", saved_query(p.stem))
        for p in sorted((SQL_DIR / "queries").glob("*.sql"))
    },
}


# ---- synthetic data ---------------------------------------------------------------------------------------


def text_pool(rng: np.random.Generator, n: int, lo: int, hi: int) -> pa.Array:
    """n distinct random-word texts of lo..hi characters."""
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = ["".join(rng.choice(letters, int(rng.integers(2, 10)))) for _ in range(4000)]
    out = []
    for _ in range(n):
        want = int(rng.integers(lo, hi + 1))
        picked = rng.choice(len(words), want // 4 + 2)
        out.append(" ".join(words[i] for i in picked)[:want])
    return pa.array(out)


TEXTS = {  # profile -> character ranges of question, subtask, output; whether steps hold their messages
    "full": ((150, 450), (30, 150), (60, 900), True),
    "lean": ((100, 300), (20, 60), (20, 120), False),
}


def _where(mask: np.ndarray, text: str) -> pa.Array:
    """`text` where mask holds, null elsewhere."""
    return pc.if_else(pa.array(mask), text, pa.scalar(None, pa.string()))


class Synth:
    def __init__(self, texts: str = "full", seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        r = self.rng
        question, subtask, output, self.messages = TEXTS[texts]
        self.question = text_pool(r, 4096, *question)
        self.subtask = text_pool(r, 4096, *subtask)
        self.output = text_pool(r, 4096, *output)
        self.header = "".join(text_pool(r, 1, 400, 400).to_pylist())
        self.price = r.uniform(0.1, 5.0, WORKERS) / 1e6  # USD per token

    def pick(self, pool: pa.Array, n: int, tag: pa.Array | None = None) -> pa.Array:
        taken = pool.take(pa.array(self.rng.integers(0, len(pool), n)))
        return taken if tag is None else pc.binary_join_element_wise(tag, taken, " ")

    def part(self, iteration: int, phase: str, rows: int) -> pa.Table:
        r = self.rng
        base = iteration * PART + (0 if phase == "train" else PART)
        ids = pc.cast(pa.array(np.arange(base, base + rows)), pa.string())
        n = np.where(r.random(rows) < 0.05, 0, r.integers(1, 6, rows)).astype(np.int32)
        offsets = np.concatenate([[0], np.cumsum(n)]).astype(np.int32)
        m = int(offsets[-1])
        row_of = np.repeat(np.arange(rows), n)
        pos = (np.arange(m) - np.repeat(offsets[:-1], n)).astype(np.int32)
        question = self.pick(self.question, rows, ids)
        worker = r.integers(0, WORKERS, m).astype(np.int32)
        kind = np.where(pos == 0, 1, r.choice(3, m, p=[0.5, 0.3, 0.2]))  # 0 all, 1 none, 2 the previous step
        prev = pc.cast(pa.array(np.maximum(pos - 1, 0)), pa.string())
        access = pc.if_else(
            pa.array(kind == 2),
            pc.binary_join_element_wise("[", prev, "]", ""),
            pa.array(np.where(kind == 0, "all", "none")),
        )
        subtask = self.pick(self.subtask, m)
        output = self.pick(self.output, m, pc.take(ids, pa.array(row_of)))
        seen = pc.take(output, pa.array(np.maximum(np.arange(m) - 1, 0)))
        tagged = pc.binary_join_element_wise("<Agent response>\n", seen, "\n</Agent response>\n\n", "")
        user = pc.binary_join_element_wise(
            PREAMBLE + "\n\n<overall_task>\n",
            pc.take(question, pa.array(row_of)),
            "\n</overall_task>\n\n",
            pc.if_else(pa.array(kind != 1), tagged, ""),
            SUBTASK_PREFIX,
            subtask,
            "",
        )
        content = pa.concat_arrays([pa.array([SYSTEM_MESSAGE, ASSISTANT_PREFILL]), user.cast(pa.string())])
        order = np.stack([np.zeros(m, int), np.arange(m) + 2, np.ones(m, int)], axis=1).ravel()
        roles = pa.array(np.tile(["system", "user", "assistant"], m))
        per = 3 if self.messages else 0
        messages = pa.ListArray.from_arrays(
            pa.array(np.arange(m + 1, dtype=np.int32) * per),
            pa.StructArray.from_arrays([roles, content.take(pa.array(order))], ["role", "content"])[: per * m],
        )
        prompt_tokens = (pc.utf8_length(user).to_numpy() // 4 + 20).astype(np.int64)
        completion_tokens = (pc.utf8_length(output).to_numpy() // 4).astype(np.int64)
        cost = (prompt_tokens + completion_tokens) * self.price[worker]
        latency = r.gamma(2.0, 0.6, m)
        started = r.uniform(0, 3, m)
        attempts = np.where(r.random(m) < 0.1, 2, 1).astype(np.int64)
        cached = r.random(m) < 0.05
        error = _where(r.random(m) < 0.02, "timeout after 3 attempts")
        retry_off = np.concatenate([[0], np.cumsum(attempts - 1)]).astype(np.int32)
        retries = pa.ListArray.from_arrays(
            pa.array(retry_off), pa.array(["429 Too Many Requests"] * int(retry_off[-1]))
        )
        visible = pa.ListArray.from_arrays(
            pa.array(np.concatenate([[0], np.cumsum(kind != 1)]).astype(np.int32)),
            pa.array((pos - 1)[kind != 1].astype(np.int64)),
        )
        per_step = {
            "index": pa.array(pos),
            "worker": pa.array(worker),
            "subtask": subtask,
            "access": access,
            "visible": visible,
            "messages": messages,
            "output": output,
            "prompt_tokens": pa.array(prompt_tokens),
            "completion_tokens": pa.array(completion_tokens),
            "cost_usd": pa.array(cost),
            "latency_s": pa.array(latency),
            "started_at": pa.array(started),
            "ended_at": pa.array(started + latency),
            "attempts": pa.array(attempts),
            "cached": pa.array(cached),
            "error": error,
            "retries": retries,
            "seed": pa.array(r.integers(0, 2**31, m)),
            "nested": pa.nulls(m, pa.string()),
        }
        lists = [pa.ListArray.from_arrays(pa.array(offsets), per_step[f.name]) for f in STEPS_TYPE]
        steps = pa.StructArray.from_arrays(lists, fields=list(STEPS_TYPE))

        def per_rollout(values: np.ndarray) -> np.ndarray:
            return np.bincount(row_of, weights=values, minlength=rows)

        task = np.arange(rows) // 8
        task_ids = pc.binary_join_element_wise("t", pc.cast(pa.array(task + base), pa.string()), "")
        p_task = r.random(rows // 8 + 1)[task]
        correct = (r.random(rows) < p_task) & (n > 0)
        pool_n = r.integers(3, 8, rows)
        pools = pa.ListArray.from_arrays(
            pa.array(np.concatenate([[0], np.cumsum(pool_n)]).astype(np.int32)),
            pa.array(r.integers(0, WORKERS, int(pool_n.sum())).astype(np.int32)),
        )
        plan = pa.array([f"model_id = [{', '.join(map(str, range(k)))}]" for k in range(6)]).take(pa.array(n))
        completion = pc.binary_join_element_wise(plan, self.pick(self.subtask, rows), "\n")
        policies = ["conductor", "single:0", "single:3", "random"]
        cols = {
            "run_id": pa.array(["bench"] * rows),
            "iteration": pa.array(np.full(rows, iteration, np.int32)),
            "phase": pa.array([phase] * rows),
            "rollout_id": ids,
            "task_id": task_ids,
            "source": pa.array(np.array(["synthetic-" + d for d in DOMAINS])[task % 4]),
            "domain": pa.array(np.array(DOMAINS)[task % 4]),
            "group_id": pc.binary_join_element_wise(str(iteration), task_ids, ":"),
            "sample": pa.array((np.arange(rows) % 8).astype(np.int32)),
            "round": pa.array(np.zeros(rows, np.int32)),
            "policy": pa.array(["conductor"] * rows if phase == "train" else r.choice(policies, rows)),
            "pool": pools,
            "pool_simulated": pa.array(np.ones(rows, bool)),
            "prompt": pc.binary_join_element_wise(self.header, question, "\n"),
            "completion": completion,
            "workflow": pc.if_else(pa.array(n > 0), pc.binary_join_element_wise('{"model_id": ', plan, "}", ""), None),
            "parse_error": _where(n == 0, "no_lists: none found"),
            "n_steps": pa.array(n),
            "steps": steps,
            "answer": self.pick(self.subtask, rows),
            "correct": pa.array(correct),
            "verdict": pa.array(np.where(correct, "match", "no match")),
            "reward": pa.array(correct.astype(np.float64)),
            "first_round_reward": pa.nulls(rows, pa.float64()),
            "infra_fault": pa.nulls(rows, pa.string()),
            "prompt_tokens": pa.array(per_rollout(prompt_tokens).astype(np.int64)),
            "completion_tokens": pa.array(per_rollout(completion_tokens).astype(np.int64)),
            "cost_usd": pa.array(per_rollout(cost)),
            "latency_s": pa.array(per_rollout(latency)),
            "completion_ids": pa.ListArray.from_arrays(
                pa.array(np.arange(0, 16 * rows + 1, 16, dtype=np.int32)),
                pa.array(r.integers(0, 32000, 16 * rows).astype(np.int32)),
            ),
            "logprobs": pa.ListArray.from_arrays(
                pa.array(np.arange(0, 16 * rows + 1, 16, dtype=np.int32)),
                pa.array(-r.exponential(0.5, 16 * rows).astype(np.float32)),
            ),
            "created_at": pa.array(np.full(rows, np.datetime64("2026-11-24T12:00:00", "us"))).cast(
                pa.timestamp("us", tz="UTC")
            ),
        }
        return pa.Table.from_arrays([cols[f.name].cast(f.type) for f in ROLLOUT_SCHEMA], schema=ROLLOUT_SCHEMA)


def _step_json_sql() -> str:
    """DuckDB expression: a typed steps cell as the JSON list the writer produced before (LAYOUT 1)."""
    fields = []
    for f in STEPS_TYPE:
        v = f'steps."{f.name}"[i]'
        if f.name == "access":
            v = f"CASE WHEN starts_with({v}, '[') THEN {v}::JSON ELSE to_json({v}) END"
        elif f.name == "nested":
            v = f"{v}::JSON"
        fields.append(f"'{f.name}': {v}")
    return 'to_json(list_transform(generate_series(1, len(steps."index")), lambda i: {' + ", ".join(fields) + "}))"


def to_layout_1(con: duckdb.DuckDBPyConnection, part: pa.Table) -> pa.Table:
    con.register("_part", part)
    sql = f"SELECT * REPLACE ({_step_json_sql()}::VARCHAR AS steps, to_json(pool)::VARCHAR AS pool) FROM _part"
    out = con.sql(sql).to_arrow_table()
    con.unregister("_part")
    return pa.Table.from_arrays([out.column(f.name).cast(f.type) for f in LAYOUT_1], schema=LAYOUT_1)


def build(root: Path, iterations: int, texts: str, log: Callable[[str], None]) -> None:
    synth = Synth(texts)
    con = duckdb.connect()
    t0 = time.perf_counter()
    for it in range(1, iterations + 1):
        for phase, rows in (("train", PART * 9 // 10), ("eval", PART // 10)):
            part = synth.part(it, phase, rows)
            for layout, table in (("typed", part), ("json", to_layout_1(con, part))):
                d = root / layout / "rollouts" / "run=bench" / f"iteration={it}"
                d.mkdir(parents=True, exist_ok=True)
                pq.write_table(table, d / f"{phase}-0.parquet")
        if it % 10 == 0 or it == iterations:
            log(f"  built {it * PART:,} rollouts in {time.perf_counter() - t0:.0f} s")


def subset(root: Path, layout: str, iterations: int) -> Paths:
    """A home holding the first `iterations` iterations of the built store (hard links)."""
    home = root / f"{layout}-{iterations}"
    if not home.exists():
        for it in range(1, iterations + 1):
            src = root / layout / "rollouts" / "run=bench" / f"iteration={it}"
            dst = home / "rollouts" / "run=bench" / f"iteration={it}"
            dst.mkdir(parents=True)
            for f in src.iterdir():
                os.link(f, dst / f.name)
    return Paths(home=home)


# ---- timing ---------------------------------------------------------------------------------------------


def connect_before(paths: Paths) -> duckdb.DuckDBPyConnection:
    """The views as they were before typed steps: files read as they are, steps unpacked with json_each."""
    files = sorted(paths.rollouts.glob("run=*/iteration=*/*.parquet"))
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE _tasks (id VARCHAR)")
    for view in sorted((SQL_DIR / "views").glob("*.sql")):
        sql = STEPS_VIEW_BEFORE if view.name == "03_steps.sql" else view.read_text()
        con.execute(sql.replace("${ROLLOUTS}", parquet_files_sql(files)).replace("${TASKS}", "_tasks"))
    return con


def _canon(rows: list[tuple]) -> list[tuple]:
    return sorted(tuple(f"{v:.6g}" if isinstance(v, float) else str(v) for v in row) for row in rows)


def time_queries(con: duckdb.DuckDBPyConnection, repeats: int) -> dict[str, tuple[float, list[tuple]]]:
    out = {}
    for name, (_, sql) in QUERIES.items():
        best, rows = float("inf"), []
        for k in range(repeats):
            if k and best > SLOW_S:  # a second run of a slow query adds time, not information
                break
            t0 = time.perf_counter()
            rows = con.execute(sql).fetchall()
            best = min(best, time.perf_counter() - t0)
        out[name] = (best, _canon(rows))
    return out


def parse_size(s: str) -> int:
    s = s.strip().upper()
    n = float(s[:-1]) * {"K": 1e3, "M": 1e6}[s[-1]] if s[-1] in "KM" else float(s)
    if n < PART or n % PART:
        raise argparse.ArgumentTypeError(f"sizes are multiples of {PART:,} rollouts")
    return int(n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="1M,5M,10M", help="store sizes in rollouts, comma-separated (default 1M,5M,10M)")
    ap.add_argument(
        "--texts",
        choices=sorted(TEXTS),
        default="lean",
        help="text sizes: lean (default; short texts, no messages) or full (realistic, with messages)",
    )
    ap.add_argument("--repeats", type=int, default=2, help="runs of each query; the best is kept (default 2)")
    ap.add_argument(
        "--readers", default="json-before,json-now,typed", help="which readers to time (default: all three)"
    )
    ap.add_argument(
        "--before-max",
        type=parse_size,
        default="1M",
        help="largest size json-before is timed at (default 1M: it takes minutes per query beyond)",
    )
    ap.add_argument("--dir", default=None, help="where to build the stores (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the built stores")
    args = ap.parse_args(argv)
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    readers = args.readers.split(",")
    root = Path(tempfile.mkdtemp(prefix="conductor-store-bench-", dir=args.dir))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    free_gb = shutil.disk_usage(root).free / 1e9
    log(f"building {sizes[-1]:,} rollouts ({args.texts} texts) in {root} (free: {free_gb:.0f} GB)")
    try:
        build(root, sizes[-1] // PART, args.texts, log)
        for layout in ("typed", "json"):
            gb = sum(f.stat().st_size for f in (root / layout).rglob("*.parquet")) / 1e9
            log(f"  {layout} store: {gb:.1f} GB on disk at {sizes[-1]:,} rollouts")
        results: dict[tuple[str, int], dict[str, tuple[float, list[tuple]]]] = {}
        connects: dict[str, Callable[[Paths], duckdb.DuckDBPyConnection]] = {
            "json-before": connect_before,
            "json-now": connect,
            "typed": connect,
        }
        for size in sizes:
            for reader in readers:
                if reader == "json-before" and size > args.before_max:
                    continue
                paths = subset(root, "typed" if reader == "typed" else "json", size // PART)
                log(f"  timing {reader} at {size:,}")
                results[reader, size] = time_queries(connects[reader](paths), args.repeats)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return report(results, sizes, readers, args.texts)


def report(results: dict, sizes: list[int], readers: list[str], texts: str) -> int:
    label = {s: f"{s / 1e6:g}M" for s in sizes}
    head = ["query", "group"] + [f"{r} {label[s]}" for s in sizes for r in readers]
    lines, mismatches = [head], []
    for name, (group, _) in QUERIES.items():
        row = [name, group]
        for s in sizes:
            answers = {r: results[r, s][name][1] for r in readers if (r, s) in results}
            if len({json.dumps(a) for a in answers.values()}) > 1:
                mismatches.append(f"{name} at {label[s]}: readers disagree")
            row += [f"{results[r, s][name][0]:.2f}" if (r, s) in results else "-" for r in readers]
        lines.append(row)
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    for m in mismatches:
        print("MISMATCH", m)
    parts = []
    for s in sizes:
        for r in readers:
            if (r, s) not in results:
                continue
            for group in ("rollouts", "steps"):
                slowest = max(t for n, (t, _) in results[r, s].items() if QUERIES[n][0] == group)
                parts.append(f"{r.replace('-', '_')}_{label[s]}_{group}_s={slowest:.2f}")
    print(f"store texts={texts} " + " ".join(parts) + f" mismatches={len(mismatches)}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
