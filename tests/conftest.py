"""Shared test set-up: offline hubs, Prefect and MLflow state in temporary folders, no telemetry."""

from __future__ import annotations

import os
import tempfile

import pytest
from tiny_kit import WARM_SETTINGS

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="conductor-test-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # CI's 2 cores are busy
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.pop("MLFLOW_TRACKING_URI", None)


def _has_cuda() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except Exception:  # noqa: BLE001
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if any("gpu" in item.keywords for item in items) and not _has_cuda():
        skip = pytest.mark.skip(reason="needs a CUDA GPU")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh CONDUCTOR_HOME for one test."""
    h = tmp_path / "home"
    monkeypatch.setenv("CONDUCTOR_HOME", str(h))
    return h


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    """A tiny Conductor (conductor.tiny.model, `tiny` size) built once per session from a small corpus of prompts
    and workflows (no download): the fixture model of the policy and tiny-recipe tests."""
    import torch
    from tiny_kit import tokenizer_corpus

    from conductor.tiny.model import build_tiny_conductor

    torch.set_num_threads(2)
    return build_tiny_conductor(tmp_path_factory.mktemp("tiny"), tokenizer_corpus(), seed=0, size="tiny")


@pytest.fixture
def policy(tiny_dir):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy

    return Policy.load(tiny_dir, PolicyConfig(device="cpu"))


@pytest.fixture(scope="session")
def warm_home(tmp_path_factory):
    """A CONDUCTOR_HOME holding the real tasks (prepared once per session): where `warm_checkpoint` is built."""
    from conductor.config import Paths, load_run_config
    from conductor.iteration.campaign import load_all_tasks

    paths = Paths(home=tmp_path_factory.mktemp("warm-home"))
    load_all_tasks(load_run_config(None, WARM_SETTINGS), paths)
    return paths


@pytest.fixture(scope="session")
def warm_checkpoint(warm_home) -> str:
    """The tiny Conductor built and warm-started once per session from the real prompts of the real tasks: it
    writes the workflow format, and knows nothing yet about the workers (tests/e2e trains it, tests/serve
    serves it)."""
    from conductor.config import load_run_config
    from conductor.iteration.campaign import load_all_tasks
    from conductor.pool.spec import load_pool
    from conductor.tiny.bootstrap import tiny_checkpoint

    cfg = load_run_config(None, WARM_SETTINGS)
    tasks = load_all_tasks(cfg, warm_home)
    return str(tiny_checkpoint(cfg, warm_home, tasks, load_pool(), n_examples=1200))
