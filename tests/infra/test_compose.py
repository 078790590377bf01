"""infra/compose.yaml holds the servers infra/README.md promises, wired to each other as it says; where Docker
Compose is installed, Compose itself accepts the file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"


def _compose() -> dict:
    return yaml.safe_load((INFRA / "compose.yaml").read_text())


def test_the_servers_are_there_and_wired_to_each_other():
    services = _compose()["services"]
    assert {"postgres", "minio", "minio-init", "prefect-server", "prefect-worker", "mlflow"} <= set(services)
    prefect = services["prefect-server"]
    assert "postgresql+asyncpg://" in prefect["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    assert prefect["depends_on"]["postgres"]["condition"] == "service_healthy"
    worker = services["prefect-worker"]
    assert worker["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert (
        "--work-pool conductor" in worker["command"][-1]
        and "prefect worker start --pool conductor" in (worker["command"][-1])
    )
    mlflow = " ".join(services["mlflow"]["command"])
    assert "--backend-store-uri postgresql://" in mlflow and "--artifacts-destination s3://mlflow" in mlflow
    assert services["mlflow"]["environment"]["MLFLOW_S3_ENDPOINT_URL"] == "http://minio:9000"
    vllm = {n: s for n, s in services.items() if "vllm" in str(s.get("image", ""))}
    assert {"qwen3-32b", "gemma-3-27b", "r1-distill-32b", "conductor-7b"} <= set(vllm)
    assert all(s["profiles"] == ["gpu"] for s in vllm.values())
    for name, s in services.items():  # nothing listens beyond this machine
        assert all(str(p).startswith("127.0.0.1:") for p in s.get("ports", [])), name


def test_the_open_workers_are_where_the_example_pool_looks():
    services = _compose()["services"]
    ports = {
        str(p).rsplit(":", 1)[-1] for s in services.values() if "vllm" in str(s.get("image", "")) for p in s["ports"]
    }
    pool = yaml.safe_load((INFRA / "pool.example.yaml").read_text())
    local = {w["base_url"].split(":")[2].split("/")[0] for w in pool["workers"] if "127.0.0.1" in w["base_url"]}
    assert local and local <= ports
    assert (INFRA / "postgres-init.sql").read_text().count("CREATE DATABASE mlflow") == 1


def _has_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.skipif(not _has_compose(), reason="Docker Compose is not installed")
def test_docker_compose_accepts_the_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text((INFRA / ".env.example").read_text())
    p = subprocess.run(
        ["docker", "compose", "--env-file", str(env_file), "-f", str(INFRA / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
