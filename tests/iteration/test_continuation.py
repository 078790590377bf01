"""Continuing runs, on manifests written here (no training): extending a finished run, where a retrain starts
(latest:<run id>, latest:<run name>, the registry's champion alias on a real MLflow sqlite store), and the
config a retrain trains with (new seed per generation, its lineage's tasks avoided, the held-out draw kept)."""

from __future__ import annotations

import pytest

from conductor.config import Paths, RunConfig
from conductor.errors import ConfigError, NotFoundError
from conductor.iteration.campaign import continued_config
from conductor.iteration.continuation import lineage_record, resolve_start_checkpoint, retrain_config
from conductor.iteration.manifest import manifest_path, write_json


def _run(paths: Paths, run_id: str, cfg: RunConfig, done: int, finished_at: str = "2026-01-01T00:00:00") -> None:
    its = {
        str(i): {
            "checkpoint": str(paths.checkpoints / run_id / f"iter-{i}"),
            "finished_at": finished_at,
            "eval": {"conductor": 0.5 + i / 100},
        }
        for i in range(1, done + 1)
    }
    for it in its.values():
        (paths.checkpoints / run_id).mkdir(parents=True, exist_ok=True)
        __import__("pathlib").Path(it["checkpoint"]).mkdir(exist_ok=True)
    write_json(
        manifest_path(paths, run_id), {"run_id": run_id, "config": cfg.model_dump(mode="json"), "iterations": its}
    )


def test_a_finished_run_is_extended_by_iterations_only(capsys):
    stored = RunConfig(iterations=3, seed=5)
    manifest = {"run_id": "r", "config": stored.model_dump(mode="json"), "iterations": {"1": {}, "2": {}, "3": {}}}
    longer = continued_config(manifest, stored.model_copy(update={"iterations": 5}))
    assert longer == stored.model_copy(update={"iterations": 5})
    assert "extending run r from 3 to 5 iterations" in capsys.readouterr().out
    changed = continued_config(manifest, RunConfig(iterations=4, seed=9))  # the seed is not changed mid-run
    assert (changed.seed, changed.iterations) == (5, 4) and "seed are ignored" in capsys.readouterr().out
    with pytest.raises(ConfigError, match="3 finished iterations: it cannot be shortened to 2"):
        continued_config(manifest, stored.model_copy(update={"iterations": 2}))


def test_latest_names_a_run_by_id_or_by_name(tmp_path):
    paths = Paths(home=tmp_path)
    _run(paths, "nightly-a", RunConfig(name="nightly"), 2, "2026-01-01T00:00:00")
    _run(paths, "nightly-b", RunConfig(name="nightly"), 1, "2026-01-02T00:00:00")
    _run(paths, "other", RunConfig(name="other"), 0)
    by_id = resolve_start_checkpoint("latest:nightly-a", paths)
    assert (by_id.run_id, by_id.checkpoint.name) == ("nightly-a", "iter-2")
    by_name = resolve_start_checkpoint("latest:nightly", paths)
    assert (by_name.run_id, by_name.checkpoint.name) == ("nightly-b", "iter-1")  # the newest run of that name
    with pytest.raises(NotFoundError, match="no finished iteration"):
        resolve_start_checkpoint("latest:other", paths)
    with pytest.raises(NotFoundError):
        resolve_start_checkpoint("latest:nobody", paths)


def test_the_champion_alias_resolves_through_the_registry(tmp_path, monkeypatch):
    import mlflow

    # MLflow's file store has the same registry API as a server's, without sqlite's schema migrations (seconds)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    paths = Paths(home=tmp_path)
    _run(paths, "champ", RunConfig(name="champ"), 1)
    checkpoint = paths.checkpoints / "champ" / "iter-1"
    mlflow.set_tracking_uri(paths.mlflow_uri)
    mlflow.set_experiment("continuation")  # not an experiment id another test of this process made active
    client = mlflow.MlflowClient()
    with mlflow.start_run() as run:
        mlflow.set_tag("checkpoint.path", str(checkpoint))
    client.create_registered_model("conductor")
    version = client.create_model_version("conductor", source=checkpoint.as_uri(), run_id=run.info.run_id)
    with pytest.raises(NotFoundError, match="alias 'champion'"):
        resolve_start_checkpoint("models:/conductor@champion", paths)
    client.set_registered_model_alias("conductor", "champion", version.version)
    start = resolve_start_checkpoint("models:/conductor@champion", paths)
    assert (start.checkpoint, start.run_id) == (checkpoint, "champ")


def test_a_retrain_gets_a_new_seed_its_lineages_tasks_avoided_and_the_same_held_out_draw(tmp_path):
    paths = Paths(home=tmp_path)
    _run(paths, "base", RunConfig(name="n", seed=3, policy={"base_model": str(tmp_path)}, tiny={}), 2)
    start = resolve_start_checkpoint("latest:base", paths)
    cfg = retrain_config(start, paths, 4, {"train": {"learning_rate": 1e-4}})
    assert cfg.policy.base_model == str(start.checkpoint) and cfg.iterations == 4
    assert cfg.seed != 3 and cfg.eval.seed == 3 and cfg.rollout.avoid_tasks_of == ["base"]
    assert cfg.train.learning_rate == 1e-4 and cfg.tiny is not None  # given laid over; the recipe kept
    lineage = lineage_record(start, cfg, paths)
    assert (lineage["generation"], lineage["root_seed"], lineage["start_accuracy"]) == (1, 3, 0.52)
    write_json(
        manifest_path(paths, "second"),
        {
            "run_id": "second",
            "config": cfg.model_dump(mode="json"),
            "continues": lineage,
            "iterations": {"1": {"checkpoint": str(tmp_path), "finished_at": "z"}},
        },
    )
    again = retrain_config(resolve_start_checkpoint("latest:second", paths), paths, 1)
    assert again.seed not in (3, cfg.seed) and again.eval.seed == 3
    assert again.rollout.avoid_tasks_of == ["base", "second"]
