"""The record of an evaluation over the real stack: `conductor eval` in-process on a fresh home (SIMULATED
pool over HTTP, a real task source), its rows in SQL, an MLflow run with figures; registration and promotion
against a real MLflow sqlite backend; `models:/NAME@ALIAS` resolved; bad input as one clear line."""

from __future__ import annotations

import pytest

from conductor.cli import main
from conductor.config import Paths, RunConfig
from conductor.evaluate.metrics import MethodSummary
from conductor.evaluate.promote import decide
from conductor.iteration.evaluation import EvalOutcome
from conductor.iteration.evaluation_record import promote

ARGS = ["--sources", "synthetic-arith", "--tasks", "4", "--repeats", "2", "--methods", "single,vote,moa,oracle"]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, tiny_dir):
    """One `conductor eval` run (no Conductor method: the checkpoint is resolved, not sampled)."""
    import os

    home = tmp_path_factory.mktemp("eval-home")
    old = os.environ.get("CONDUCTOR_HOME")
    os.environ["CONDUCTOR_HOME"] = str(home)
    try:
        code = main(["eval", "--checkpoint", str(tiny_dir), *ARGS])
    finally:
        if old is None:
            os.environ.pop("CONDUCTOR_HOME")
        else:
            os.environ["CONDUCTOR_HOME"] = old
    return code, Paths(home=home)


def test_eval_prints_the_table_and_stores_rows_sql_can_read(evaluated, capsys):
    code, paths = evaluated
    assert code == 0
    from conductor.store.db import connect, saved_query

    con = connect(paths)
    got = con.execute(saved_query("eval_accuracy")).fetchall()
    methods = {r[2] for r in got}
    assert {"single:0", "vote", "moa"} <= methods and all(r[6] == 2 for r in got if r[3] == "synthetic-arith")
    for name in ("eval_cost_per_correct", "eval_worker_use", "eval_plan_shapes", "eval_conductor_only_right"):
        con.execute(saved_query(name)).fetchall()
    (calls,) = con.execute("select avg(calls) from evaluations where method = 'moa'").fetchone()
    assert calls == 6  # five proposers and one aggregator
    assert con.execute("select count(distinct checkpoint) from evaluations").fetchone()[0] == 1


def test_eval_is_an_mlflow_run_with_metrics_tables_and_figures(evaluated):
    import mlflow

    _, paths = evaluated
    mlflow.set_tracking_uri(paths.mlflow_uri)
    exp = mlflow.get_experiment_by_name("demo")  # a checkpoint of no run here: paper-7b's config name
    assert exp is not None and exp.tags["mlflow.experimentKind"] == "custom_model_development"
    (run,) = mlflow.search_runs(experiment_ids=[exp.experiment_id], output_format="list")
    assert "accuracy.moa" in run.data.metrics and "stderr.vote" in run.data.metrics
    assert "accuracy.oracle" in run.data.metrics and "usd_per_question.moa" in run.data.metrics
    arts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id)}
    assert {"accuracy_vs_cost.png", "accuracy_by_source.png", "evaluation.json", "per_task.json"} <= arts


def _outcome(checkpoint: str, acc: float, se: float, key: str = "k1") -> EvalOutcome:
    s = MethodSummary("conductor", "all", 10, 4, acc, se, 0, 2.0, 100, 0.01, 50, 0.0, 0.1, 0.2)
    return EvalOutcome("e", checkpoint, "pool", True, ["conductor"], [s], [], "", 0.0, key)


def test_promotion_against_a_real_registry(tmp_path, tiny_dir, capsys):
    import mlflow

    paths = Paths(home=tmp_path / "reg")
    cfg = RunConfig()
    from conductor import tracking
    from conductor.tracking import registry

    tracking.configure(paths, cfg.name)
    with mlflow.start_run():
        first = promote(_outcome(str(tiny_dir), 0.50, 0.02), cfg, paths)
    assert first.promote and "no champion yet" in first.reason
    assert registry.resolve_model_uri(paths, "models:/conductor@champion") == tiny_dir
    other = tmp_path / "other"
    import shutil

    shutil.copytree(tiny_dir, other)
    with mlflow.start_run():
        close = promote(_outcome(str(other), 0.53, 0.02), cfg, paths)  # +0.03 < sqrt(2) * 0.02 = 0.028? no: 0.03
    assert close.promote is (0.03 > (2 * 0.02**2) ** 0.5)
    with mlflow.start_run():
        same = promote(_outcome(str(other), 0.90, 0.01, key="k2"), cfg, paths)
    if not close.promote:
        assert not same.promote and "no evaluation on these tasks" in same.reason
    assert str(registry.resolve_model_uri(paths, "models:/conductor@champion")) in (str(tiny_dir), str(other))
    assert decide((0.6, 0.01), (0.5, 0.01)).promote and not decide((0.51, 0.02), (0.5, 0.02)).promote


@pytest.mark.parametrize(
    "argv, said",
    [
        (["eval", "--checkpoint", "models:/nope@champion"], "no checkpoint 'models:/nope@champion': registered model"),
        (["eval", "--checkpoint", "/no/such/folder"], "no checkpoint '/no/such/folder': no such folder"),
        (["eval", "--checkpoint", "latest"], "no checkpoint 'latest': none trained yet"),
        (["eval", "--pool", "/no/pool.yaml", "--checkpoint", "TINY"], "pool file not found"),
        (["eval", "--methods", "single:42", "--checkpoint", "TINY"], "no worker 42"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(argv, said, home, tiny_dir, capsys):
    argv = [str(tiny_dir) if a == "TINY" else a for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and said in err[0], err
