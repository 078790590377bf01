"""The tiny model after the warm start with the tiny recipe's default settings, built once per session."""

from __future__ import annotations

import time

import pytest


@pytest.fixture(scope="session")
def warm_policy(tiny_dir):
    """(policy, per-step metrics, wall seconds) of the default warm start on the tiny_kit examples."""
    from tiny_kit import examples

    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy
    from conductor.tiny.warm_start import warm_start

    pol = Policy.load(tiny_dir, PolicyConfig(device="cpu"))
    t0 = time.perf_counter()
    metrics = warm_start(pol, examples(pol, 2000, seed=1), seed=0)
    return pol, metrics, time.perf_counter() - t0
