"""An untrained tiny Conductor for the update tests: GRPO's mechanics need no warm start."""

from __future__ import annotations

import os

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

from update_kit import COMPLETION_A, COMPLETION_B, PROMPTS  # noqa: E402


@pytest.fixture(scope="session")
def micro_dir(tmp_path_factory):
    import torch

    from conductor.tiny.model import build_tiny_conductor

    torch.set_num_threads(2)
    corpus = PROMPTS * 3 + [COMPLETION_A, COMPLETION_B] * 3
    return build_tiny_conductor(tmp_path_factory.mktemp("micro"), corpus, seed=0, size="micro")


@pytest.fixture
def micro(micro_dir):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy

    return Policy.load(micro_dir, PolicyConfig(device="cpu", temperature=1.0))
