"""Chaos on demand: `conductor pool serve --faults` takes the rates a run config's `faults` takes, and a bad
spec is one line before any server starts; served faults reach a real client over HTTP."""

from __future__ import annotations

import pytest

from conductor.cli import main
from conductor.config import RunConfig
from conductor.sim.faults import FaultConfig, fault_config, parse_faults


def test_the_spec_names_faults_by_name_or_http_code():
    spec = parse_faults("timeout=0.05,429=0.05, 500=0.02,empty=0.01,hang_s=3")
    assert fault_config(spec) == FaultConfig(timeout=0.05, rate_limit=0.05, server_error=0.02, empty=0.01, hang_s=3)
    assert fault_config(RunConfig(faults=spec).faults) == fault_config(spec)  # the run-config field, alike


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("timeout", "not name=rate"),
        ("timeout=lots", "not name=rate"),
        ("outage=0.1", "outage"),
        ("429=0.8,500=0.5", "sum"),
    ],
)
def test_a_bad_spec_is_one_line_and_no_server(spec, says, capsys):
    assert main(["pool", "serve", "--faults", spec, "--port", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --faults") and says in err and "\n" not in err
