"""Retraining that continues: a new run from the latest checkpoint of a named run or from the registered
champion, N more iterations, then evaluated and offered for promotion.

    python -m conductor_flows.retrain --start latest:demo --iterations 2 [--set key=value ...]
    python -m conductor_flows.retrain --start models:/conductor@champion --iterations 2

Each retrain is a new run (id `<name>-retrain<generation>-<time>`) with a new seed per generation and training
tasks its lineage has not used where possible (conductor/iteration/continuation.py). Its last iteration is
evaluated on the same held-out tasks as the run it continues, so `improved` compares like with like. A nightly
schedule of `latest:<name>` therefore continues from the previous night's run, never repeats it. Its last
checkpoint then goes through the one evaluation path with promotion (conductor eval --promote's:
conductor.iteration.continuation.evaluate_and_promote), so the registry's `champion` alias moves when it is
better, and the result, the log and the run's manifest (`promotion`) say why either way; a schedule of
`models:/conductor@champion` therefore always continues from the best so far.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger

import conductor_flows  # noqa: F401  (Prefect settings before a flow runs)
from conductor.config import Paths
from conductor.config.loading import read_overrides
from conductor.iteration.campaign import preflight, run_campaign
from conductor.iteration.continuation import (
    evaluate_and_promote,
    lineage_record,
    resolve_start_checkpoint,
    retrain_config,
)
from conductor.iteration.manifest import manifest_path, read_manifest, write_json
from conductor_flows.iteration import iteration_flow
from conductor_flows.parameters import RunParameters, as_parameters, given
from conductor_flows.reporting import log_config, name_flow_run, report_iterations

BLANK = RunParameters()


@flow(name="conductor-retrain", log_prints=True)
def retrain_flow(start: str = "latest:demo", iterations: int = 2, config: RunParameters = BLANK) -> dict[str, Any]:
    """Continue training from `start` for `iterations` more iterations, as a new run, then evaluate it and
    promote it to the registry's `champion` when it is better (the reason is logged either way).

    Args:
        start: latest:<run id or run name> (its newest finished checkpoint), models:/conductor@champion (the
            registered champion: a schedule of it always continues from the best so far), or a checkpoint folder.
        iterations: RL iterations of the new run.
        config: run-config fields laid over the config of the run that made the start checkpoint (blank: kept).
    """
    paths = Paths()
    point = resolve_start_checkpoint(start, paths)
    cfg = preflight(retrain_config(point, paths, iterations, given(config)), paths)
    lineage = lineage_record(point, cfg, paths)
    run_id = f"{cfg.name}-retrain{lineage['generation']}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"
    name_flow_run(run_id)
    get_run_logger().info("retrain %s from %s (%s), seed %d", run_id, point.source, point.checkpoint, cfg.seed)
    log_config(cfg)
    result = run_campaign(cfg, paths, run_id=run_id, iteration_fn=iteration_flow, continues=lineage)
    report_iterations(result.run_id, result.iterations, f"retrain from {point.source}")
    last = (result.iterations[-1].get("eval") or {}) if result.iterations else {}
    accuracy, before = last.get("conductor"), lineage["start_accuracy"]
    improved = accuracy is not None and (before is None or accuracy > before)
    get_run_logger().info(
        "retrain %s: held-out accuracy %s, the start's %s: %s",
        run_id,
        accuracy,
        before,
        "better than the start" if improved else "not better than the start",
    )
    promotion = None
    if result.iterations:
        # the one evaluation path (conductor eval --promote's): the champion alias moves only when better
        promotion = evaluate_and_promote(result.iterations[-1]["checkpoint"], cfg, paths, progress=print)
        manifest = read_manifest(paths, result.run_id)
        write_json(manifest_path(paths, result.run_id), {**manifest, "promotion": promotion})
        get_run_logger().info("retrain %s: promotion: %s", run_id, promotion["reason"])
    return {
        "run_id": result.run_id,
        "start": point.source,
        "start_checkpoint": str(point.checkpoint),
        "start_run_id": point.run_id,
        "generation": lineage["generation"],
        "seed": cfg.seed,
        "start_accuracy": before,
        "accuracy": accuracy,
        "improved": improved,
        "checkpoint": result.iterations[-1]["checkpoint"] if result.iterations else None,
        "iterations": result.iterations,
        "promotion": promotion,
        "seconds": result.seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--start", default="latest:demo", help="latest:<run>, models:/NAME@ALIAS or a folder")
    ap.add_argument("--iterations", type=int, default=2, help="iterations of the new run")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config field")
    args = ap.parse_args()
    out = retrain_flow(args.start, args.iterations, as_parameters(read_overrides(args.set)))
    print(f"run {out['run_id']} from {out['start']}: accuracy {out['accuracy']} (start {out['start_accuracy']})")
    if out["promotion"]:
        print(f"promotion: {out['promotion']['reason']}")


if __name__ == "__main__":
    main()
