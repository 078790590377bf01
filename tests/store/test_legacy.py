"""Store parts written before the typed layout (steps and pool as JSON text) stay readable, and read the same.

The old parts are written here with the schema and the encoding the writer used before (LAYOUT 1, copied
from conductor/store/schema.py and conductor/iteration/scoring.py as they were), next to the same rows written
by today's writer; every view, every saved query and every Python reader must give the same answers for both.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from store_samples import full_row, full_step

from conductor.config import Paths
from conductor.iteration.spending import spent_so_far
from conductor.store.db import SQL_DIR, connect, saved_query
from conductor.store.legacy import is_legacy
from conductor.store.rollouts import iteration_dir, read_rollouts, rows_from_table, write_rollouts
from conductor.store.schema import ROLLOUT_SCHEMA, RolloutRow
from conductor.workflow.result import StepResult

LAYOUT_1 = pa.schema(
    [
        ("run_id", pa.string()),
        ("iteration", pa.int32()),
        ("phase", pa.string()),
        ("rollout_id", pa.string()),
        ("task_id", pa.string()),
        ("source", pa.string()),
        ("domain", pa.string()),
        ("group_id", pa.string()),
        ("sample", pa.int32()),
        ("round", pa.int32()),
        ("policy", pa.string()),
        ("pool", pa.string()),
        ("pool_simulated", pa.bool_()),
        ("prompt", pa.string()),
        ("completion", pa.string()),
        ("workflow", pa.string()),
        ("parse_error", pa.string()),
        ("n_steps", pa.int32()),
        ("steps", pa.string()),
        ("answer", pa.string()),
        ("correct", pa.bool_()),
        ("verdict", pa.string()),
        ("reward", pa.float64()),
        ("first_round_reward", pa.float64()),
        ("infra_fault", pa.string()),
        ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()),
        ("cost_usd", pa.float64()),
        ("latency_s", pa.float64()),
        ("completion_ids", pa.list_(pa.int32())),
        ("logprobs", pa.list_(pa.float32())),
        ("created_at", pa.timestamp("us", tz="UTC")),
    ]
)


def write_layout_1(rows: list[RolloutRow], root: Path, drop: tuple[str, ...] = (), drop_step_fields=()) -> Path:
    """A part as the writer before the typed layout wrote it: steps and pool through json.dumps."""
    records = []
    for r in rows:
        d = r.model_dump()
        d["pool"] = json.dumps(d["pool"])
        d["steps"] = json.dumps(
            [{k: v for k, v in s.model_dump().items() if k not in drop_step_fields} for s in r.steps]
        )
        records.append({k: v for k, v in d.items() if k not in drop})
    schema = pa.schema([f for f in LAYOUT_1 if f.name not in drop])
    folder = iteration_dir(root, rows[0].run_id, rows[0].iteration)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rows[0].phase}-0.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=schema), path)
    return path


# columns added after layout 1 (evaluation rows): an old part reads them as null
LATER_COLUMNS = {
    "repeat": None,
    "checkpoint": None,
    "conductor_prompt_tokens": None,
    "conductor_completion_tokens": None,
}


def some_rows(iteration: int) -> list[RolloutRow]:
    base = full_row().model_copy(update=LATER_COLUMNS)
    out = []
    for k in range(6):
        steps = [
            full_step(i).model_copy(update={"worker": (k + i) % 4, "cost_usd": 0.1 * (k + 1)}) for i in range(k % 3)
        ]
        out.append(
            base.model_copy(
                update={
                    "iteration": iteration,
                    "phase": "train",
                    "rollout_id": f"x{k}",
                    "group_id": f"g{k // 2}",
                    "policy": "conductor",
                    "reward": float(k % 2),
                    "steps": steps,
                    "n_steps": len(steps),
                    "parse_error": None if k % 3 else "no_lists: none found",
                    "completion": f"model_id = [{', '.join(str(s.worker) for s in steps)}]",
                }
            )
        )
    return out


@pytest.fixture
def stores(tmp_path):
    """The same rows in two homes: one written in the old layout, one by today's writer."""
    old, new = Paths(home=tmp_path / "old"), Paths(home=tmp_path / "new")
    for it in (1, 2):
        write_layout_1(some_rows(it), old.rollouts)
        write_rollouts(some_rows(it), new.rollouts, "r", it, "train")
    return old, new


def test_old_parts_are_told_apart_by_their_footer(stores):
    old, new = stores
    assert all(is_legacy(f) for f in old.rollouts.rglob("*.parquet"))
    assert not any(is_legacy(f) for f in new.rollouts.rglob("*.parquet"))


def test_python_readers_give_the_same_rows(stores):
    old, new = stores
    table = read_rollouts(old.rollouts)
    assert table.schema.equals(ROLLOUT_SCHEMA)
    assert rows_from_table(table) == rows_from_table(read_rollouts(new.rollouts)) == some_rows(1) + some_rows(2)
    assert spent_so_far(old, "r") == spent_so_far(new, "r")
    usd, calls = spent_so_far(new, "r")
    assert usd == pytest.approx(2 * sum(0.1 * (k + 1) * (k % 3) for k in range(6))) and calls == 0  # all cached


def _view_rows(paths: Paths, sql: str) -> list[tuple]:
    return connect(paths).execute(sql).fetchall()


@pytest.mark.parametrize("view", ["rollouts", "steps", "iterations", "workers"])
def test_views_read_both_layouts_alike(stores, view):
    old, new = stores
    sql = f"select * from {view} order by all"
    got = _view_rows(old, sql)
    assert got and got == _view_rows(new, sql)


@pytest.mark.parametrize("name", sorted(p.stem for p in (SQL_DIR / "queries").glob("*.sql")))
def test_saved_queries_read_both_layouts_alike(stores, name):
    old, new = stores
    got = _view_rows(old, saved_query(name))
    assert sorted(got) == sorted(_view_rows(new, saved_query(name)))  # ties may come in either order


def test_a_store_mixing_layouts_is_one_store(stores, tmp_path):
    old, new = stores
    mixed = Paths(home=tmp_path / "mixed")
    write_layout_1(some_rows(1), mixed.rollouts)
    write_rollouts(some_rows(2), mixed.rollouts, "r", 2, "train")
    sql = "select * from steps order by all"
    assert _view_rows(mixed, sql) == _view_rows(new, sql)
    assert rows_from_table(read_rollouts(mixed.rollouts)) == some_rows(1) + some_rows(2)
    assert _view_rows(mixed, "select sum(calls) from workers") == [(2 * sum(k % 3 for k in range(6)),)]


def test_older_parts_missing_columns_and_step_fields_take_the_defaults(tmp_path):
    paths = Paths(home=tmp_path)
    rows = some_rows(1)
    write_layout_1(rows, paths.rollouts, drop=("first_round_reward",), drop_step_fields=("seed", "retries", "nested"))
    back = rows_from_table(read_rollouts(paths.rollouts))
    assert [r.first_round_reward for r in back] == [None] * len(rows)
    fresh = StepResult(index=0, worker=0, subtask="", access="none")
    for got, want in zip(back, rows, strict=True):
        assert got.steps == [
            s.model_copy(update={"seed": fresh.seed, "retries": fresh.retries, "nested": fresh.nested})
            for s in want.steps
        ]
    counts = connect(paths).execute("select count(*), count(step) from steps").fetchone()
    assert counts == (sum(r.n_steps for r in rows),) * 2


STEPS_VIEW_BEFORE = """
SELECT r.run_id, r.iteration, r.phase, r.rollout_id, r.task_id, r.domain, r.policy,
    CAST(s.value ->> 'index' AS INTEGER) AS step, CAST(s.value ->> 'worker' AS INTEGER) AS worker,
    s.value ->> 'subtask' AS subtask, s.value ->> 'access' AS access, s.value ->> 'output' AS output,
    CAST(s.value ->> 'prompt_tokens' AS BIGINT) AS prompt_tokens,
    CAST(s.value ->> 'completion_tokens' AS BIGINT) AS completion_tokens,
    CAST(s.value ->> 'cost_usd' AS DOUBLE) AS cost_usd, CAST(s.value ->> 'latency_s' AS DOUBLE) AS latency_s,
    CAST(s.value ->> 'cached' AS BOOLEAN) AS cached, s.value ->> 'error' AS error
FROM read_parquet(?) r, json_each(CAST(r.steps AS JSON)) s ORDER BY ALL"""


def test_the_steps_view_means_what_it_meant(stores):
    """Today's view over typed parts gives, column for column and type for type, what the view before typed
    steps (sql/views/03_steps.sql then) gave over the same rows stored as JSON."""
    old, new = stores
    before = duckdb.connect().execute(STEPS_VIEW_BEFORE, [[str(f) for f in sorted(old.rollouts.rglob("*.parquet"))]])
    names = [d[0] for d in before.description]
    rows_before = before.fetchall()
    now = connect(new).execute(f"select {', '.join(names)} from steps order by all")
    assert [d[1] for d in now.description] == [d[1] for d in before.description]
    assert now.fetchall() == rows_before and len(rows_before) == 2 * sum(k % 3 for k in range(6))
