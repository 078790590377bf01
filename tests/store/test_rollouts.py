"""The Parquet store: atomic parts, no duplicates on rewrite, filters, and resume clean-up."""

from __future__ import annotations

import pytest

from conductor.store.rollouts import read_rollouts, remove_iteration, rollout_files, write_rollouts


def test_write_read_roundtrip(tmp_path, make_row):
    row = make_row
    rows = [row("r1", 1, n=i, reward=i / 2) for i in range(3)]
    path = write_rollouts(rows, tmp_path, "r1", 1, "train")
    assert path.name == "train-0.parquet" and path.parent.name == "iteration=1" and path.parent.parent.name == "run=r1"
    table = read_rollouts(tmp_path, "r1", 1, "train")
    assert table.num_rows == 3
    assert table.column("reward").to_pylist() == [0.0, 0.5, 1.0]
    assert table.column("logprobs").to_pylist()[0] == pytest.approx([-0.1, -0.2, -0.3])
    assert not list(tmp_path.rglob("*.tmp")), "no temp file may remain"


def test_rewrite_replaces_instead_of_duplicating(tmp_path, make_row):
    row = make_row
    write_rollouts([row("r1", 1, n=0)], tmp_path, "r1", 1, "train")
    write_rollouts([row("r1", 1, n=0), row("r1", 1, n=1)], tmp_path, "r1", 1, "train")
    assert read_rollouts(tmp_path, "r1").num_rows == 2


def test_filters_and_remove_iteration(tmp_path, make_row):
    row = make_row
    write_rollouts([row("r1", 1)], tmp_path, "r1", 1, "train")
    write_rollouts([row("r1", 1, "eval")], tmp_path, "r1", 1, "eval")
    write_rollouts([row("r1", 2)], tmp_path, "r1", 2, "train")
    write_rollouts([row("r2", 1)], tmp_path, "r2", 1, "train")
    assert read_rollouts(tmp_path).num_rows == 4
    assert read_rollouts(tmp_path, "r1").num_rows == 3
    assert read_rollouts(tmp_path, "r1", 1).num_rows == 2
    assert read_rollouts(tmp_path, "r1", phase="eval").num_rows == 1
    remove_iteration(tmp_path, "r1", 2)
    assert read_rollouts(tmp_path, "r1").num_rows == 2
    assert len(rollout_files(tmp_path)) == 3


def test_rows_must_belong_to_their_part(tmp_path, make_row):
    row = make_row
    with pytest.raises(ValueError, match="belongs to"):
        write_rollouts([row("r1", 2)], tmp_path, "r1", 1, "train")


def test_unsafe_run_id_refused(tmp_path, make_row):
    row = make_row
    with pytest.raises(ValueError, match="may only hold"):
        write_rollouts([row("../x", 1)], tmp_path, "../x", 1, "train")


def test_empty_read_has_schema(tmp_path):
    t = read_rollouts(tmp_path)
    assert t.num_rows == 0 and "reward" in t.column_names
