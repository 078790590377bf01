"""Prefect flows: thin wrappers that string the library's plain functions into pipeline runs.

    prepare.py      tasks as Parquet, one cached task per source
    iteration.py    one RL iteration: rollouts -> update -> evaluate, each a Prefect task
    campaign.py     N iterations as subflows of one flow run (what `conductor demo|run` start)
    deployments.py  the campaign and prepare flows served to the Prefect UI (optionally on a schedule)

Importing this package points Prefect at the project's state folder (PREFECT_HOME under CONDUCTOR_HOME)
unless the user set it, and turns off Prefect's telemetry, which fails offline.
"""

import os
from pathlib import Path

from conductor.config import Paths

os.environ.setdefault("PREFECT_HOME", str(Paths().prefect_home))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
