"""A tiny Conductor built once per session from a small corpus of prompts and workflows (no download)."""

from __future__ import annotations

import os
import time

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

from policy_kit import examples, tokenizer_corpus  # noqa: E402


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    import torch

    from conductor.policy.tiny import build_tiny_conductor

    torch.set_num_threads(2)
    return build_tiny_conductor(tmp_path_factory.mktemp("tiny"), tokenizer_corpus(), seed=0, size="tiny")


@pytest.fixture
def policy(tiny_dir):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy

    return Policy.load(tiny_dir, PolicyConfig(device="cpu"))


@pytest.fixture(scope="session")
def warm_policy(tiny_dir):
    """The tiny model after the warm start with the default settings: (policy, metrics, wall seconds)."""
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy
    from conductor.policy.sft import warm_start

    pol = Policy.load(tiny_dir, PolicyConfig(device="cpu"))
    t0 = time.perf_counter()
    metrics = warm_start(pol, examples(pol, 2000, seed=1), seed=0)
    return pol, metrics, time.perf_counter() - t0
