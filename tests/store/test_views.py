"""DuckDB views over real Parquet files: rollouts, steps, iterations, workers, tasks, saved queries."""

from __future__ import annotations

from conductor.config import Paths
from conductor.store.db import connect, saved_query
from conductor.store.rollouts import write_rollouts


def test_views_over_written_rollouts(tmp_path, make_row):
    row = make_row
    paths = Paths(home=tmp_path)
    write_rollouts([row("r1", 1, n=i, reward=float(i % 2)) for i in range(4)], paths.rollouts, "r1", 1, "train")
    write_rollouts([row("r1", 2, n=i, reward=1.0) for i in range(2)], paths.rollouts, "r1", 2, "train")
    con = connect(paths)
    got = con.execute("select iteration, avg(reward) from rollouts group by 1 order by 1").fetchall()
    assert got == [(1, 0.5), (2, 1.0)]
    steps = con.execute("select worker, prompt_tokens, cost_usd from steps").fetchall()
    assert len(steps) == 6 and steps[0] == (1, 3, 0.01)
    it = con.execute(
        "select iteration, rollouts, accuracy, parse_failure_rate from iterations where phase='train' order by 1"
    ).fetchall()
    assert [r[1] for r in it] == [4, 2]
    assert con.execute("select sum(calls) from workers").fetchone()[0] == 6
    zv = con.execute(saved_query("zero_variance_groups")).fetchall()
    assert zv == [("r1", 1, 4, 4), ("r1", 2, 2, 2)]  # every group here has one rollout: zero spread


def test_views_exist_on_an_empty_store(tmp_path):
    con = connect(Paths(home=tmp_path))
    assert con.execute("select count(*) from rollouts").fetchone()[0] == 0
    assert con.execute("select count(*) from tasks").fetchone()[0] == 0
    assert con.execute("select * from iterations").fetchall() == []


def test_parse_failures_by_length(tmp_path, make_row):
    paths = Paths(home=tmp_path)
    written = [
        ("model_id = [1]\nsubtasks = ['a']\naccess_list = [[]]", None),
        ("model_id = [1, 2, 3]\nsubtasks = ['a', 'b']\naccess_list = [[], [], []]", "length_mismatch: 3, 2, 3"),
        ("model_id = [0, 4, 4]\nsubtasks = ['a', 'b', 'c']\naccess_list = [[], [], ['all']]", None),
        ("model_id = []\nsubtasks = []\naccess_list = []", "no_steps: empty"),
        ("I would ask model two.", "no_lists: none found"),
    ]
    rows = [
        make_row("r1", 1, n=i).model_copy(update={"completion": c, "parse_error": e})
        for i, (c, e) in enumerate(written)
    ]
    late = make_row("r1", 11, n=9).model_copy(update={"completion": "model_id = [1]", "parse_error": "x: y"})
    write_rollouts(rows, paths.rollouts, "r1", 1, "train")
    write_rollouts([late], paths.rollouts, "r1", 11, "train")  # after iteration 10: not counted
    got = connect(paths).execute(saved_query("parse_failures_by_length")).fetchall()
    assert got == [("r1", 0, 2, 1.0), ("r1", 1, 1, 0.0), ("r1", 3, 2, 0.5)]
