"""The `conductor` command. Each sub-command lives in its own module and imports what it needs when it runs
(the named lazy imports of pyproject.toml), so light commands (`workflow check`, `sql`, `pool show`) never
load torch, transformers, Prefect or MLflow.

Errors are handled at one boundary, `main`: a ConductorError (a model that cannot be loaded, a bad config, a
missing checkpoint, pool or run, an unknown preset) becomes one line `error: ...` and exit status 1; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from conductor.cli import ask_cmd, eval_cmd, pool_cmd, run_cmd, serve_cmd, sql_cmd, workflow_cmd
from conductor.cli.common import fail
from conductor.errors import ConductorError

DESCRIPTION = """\
Train and run a Conductor: a small LLM that writes workflows over a pool of worker LLMs.

Start here:  conductor demo      (offline: tiny Conductor, SIMULATED pool, real tasks; about 10 minutes on 2 CPU cores)
State lives in ./.conductor (set CONDUCTOR_HOME to move it): tasks, rollouts, checkpoints, MLflow, Prefect.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="conductor", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    run_cmd.add_parsers(sub)
    pool_cmd.add_parser(sub)
    workflow_cmd.add_parser(sub)
    ask_cmd.add_parser(sub)
    eval_cmd.add_parser(sub)
    serve_cmd.add_parser(sub)
    sql_cmd.add_parser(sub)
    return p


def _quiet_libraries() -> None:
    """Our own progress lines say what is happening; the libraries' per-file bars and INFO lines only bury them."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    for name in ("mlflow", "alembic", "httpx", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ConductorError as e:
        return fail(str(e))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
