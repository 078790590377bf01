"""Importing conductor_flows points Prefect at the project's state folder, and creates it on a fresh clone."""

from __future__ import annotations

import os
import subprocess
import sys


def test_prefect_home_is_created_under_a_missing_conductor_home(tmp_path):
    home = tmp_path / "not" / "yet" / ".conductor"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["CONDUCTOR_HOME"] = str(home)
    code = (
        "import os, conductor_flows\n"
        "print(os.environ['PREFECT_HOME'], os.environ['PREFECT_SERVER_ANALYTICS_ENABLED'])\n"
        "assert os.path.isdir(os.environ['PREFECT_HOME'])\n"
    )
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [str(home / "prefect"), "false"]
