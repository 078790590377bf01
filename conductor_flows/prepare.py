"""Prepare the task Parquet files: one cached Prefect task per source.

    python -m conductor_flows.prepare [--sources humaneval mmlu jee-math] [--out DIR] [--seed 0]

Each source is a task whose cache key is its inputs (name, output folder, seed) plus the source's
fingerprint (loader version, schema version, version of the package holding the data): running the flow
again skips every unchanged source (its task run ends in a Cached state) and redoes a changed one. A source
whose output file has gone missing is redone (refresh_cache), so a cache hit always means the file exists.
The work itself is conductor.tasks.prepare.prepare_source: this file only adds caching and the UI.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import INPUTS

import conductor_flows  # noqa: F401  (Prefect settings before prefect is imported)
from conductor.config import Paths
from conductor.tasks.prepare import output_path, prepare_source, source_fingerprint
from conductor.tasks.sources import DEFAULT_SOURCES


@task(name="prepare-source", task_run_name="prepare-{name}", cache_policy=INPUTS, persist_result=True)
def prepare_source_task(name: str, out_dir: str, seed: int, fingerprint: str) -> str:
    """`fingerprint` is unused in the body: it is an input so that it is part of the cache key."""
    return str(prepare_source(name, out_dir, seed))


@flow(name="prepare-tasks", log_prints=True)
def prepare_flow(sources: list[str] | None = None, out_dir: str | None = None, seed: int = 0) -> dict[str, str]:
    """Prepare each source into out_dir (default: the project's tasks folder); returns source -> file.

    Args:
        sources: task sources (docs/tasks.md); blank: humaneval, mmlu, jee-math.
        out_dir: output folder; blank: the project's tasks folder.
        seed: seeds choice shuffles and generated sources.
    """
    out = str(Path(out_dir).resolve() if out_dir else Paths().tasks)
    written: dict[str, str] = {}
    for name in sources or list(DEFAULT_SOURCES):
        missing = not output_path(out, name).exists()
        run = prepare_source_task.with_options(refresh_cache=missing)
        written[name] = run(name, out, seed, source_fingerprint(name))
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", nargs="+", default=list(DEFAULT_SOURCES), help="source names (see docs/tasks.md)")
    ap.add_argument("--out", default=None, help="output folder (default: $CONDUCTOR_HOME/tasks)")
    ap.add_argument("--seed", type=int, default=0, help="seeds choice shuffles and generated sources")
    args = ap.parse_args()
    for name, path in prepare_flow(sources=args.sources, out_dir=args.out, seed=args.seed).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
