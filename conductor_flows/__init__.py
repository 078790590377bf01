"""Prefect flows: thin wrappers that string the library's plain functions into pipeline runs.

    prepare.py      tasks as Parquet, one cached task per source
    iteration.py    one RL iteration: rollouts -> update -> evaluate, each a Prefect task
    campaign.py     N iterations as subflows of one flow run (what `conductor demo|run` start)
    retrain.py      a new run continuing from a checkpoint or the champion, evaluated and promoted when better
    evaluate.py     one checkpoint evaluated (`conductor eval`'s path), optionally promoted
    deployments.py  the campaign, retrain, evaluate and prepare flows served to the Prefect UI (retrain on a schedule)

Importing this package points Prefect at the project's state folder (PREFECT_HOME under CONDUCTOR_HOME)
unless the user set it, turns off Prefect's telemetry, which fails offline, and gives an ephemeral API server
more time to start than Prefect's default. It also keeps the project's
own errors (a ConductorError: the user's to fix, printed by `conductor` as one line) from being logged by
Prefect with a traceback: a failed run's log keeps the message.
"""

import logging
import os
from pathlib import Path

from conductor.config import Paths
from conductor.errors import ConductorError

os.environ.setdefault("PREFECT_HOME", str(Paths().prefect_home))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Without a server, each process starts an ephemeral one; on a busy 2-core machine (a trainer beside it) that
# can take longer than Prefect's 20 s default, and the run then fails before it began.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

import prefect  # noqa: E402,F401  (after the settings above: Prefect reads them when it is imported)


class _UserErrorsWithoutTraceback(logging.Filter):
    """Drops the traceback of a log record whose exception is a ConductorError; the message stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ConductorError):
            record.exc_info = None
            record.exc_text = None
        return True


for _name in ("prefect.flow_runs", "prefect.task_runs"):
    logging.getLogger(_name).addFilter(_UserErrorsWithoutTraceback())
