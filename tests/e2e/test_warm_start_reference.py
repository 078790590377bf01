"""The warm start is what RL starts from, so it must be the KL reference (and the LoRA base) of every later
checkpoint. It was once recorded as the temporary random-init folder, deleted after the warm start, so any
run with `train.kl_beta > 0` from the tiny Conductor failed on its first update."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from conductor.config import PolicyConfig
from conductor.policy.model import Policy

pytestmark = pytest.mark.slow


def test_warm_start_is_its_own_reference(warm_checkpoint):
    policy = Policy.load(warm_checkpoint, PolicyConfig(device="cpu"))
    assert Path(policy.base_model) == Path(warm_checkpoint)
    ref = policy.reference_model()
    for (name, p), (_, q) in zip(policy.model.named_parameters(), ref.named_parameters(), strict=True):
        assert torch.equal(p, q), name


def test_iteration_checkpoint_keeps_the_warm_start_as_reference(warm_checkpoint, tmp_path):
    policy = Policy.load(warm_checkpoint, PolicyConfig(device="cpu"))
    with torch.no_grad():
        next(policy.model.parameters()).add_(1.0)  # stands for an update
    saved = Policy.load(policy.save(tmp_path / "iter-1"), PolicyConfig(device="cpu"))
    assert Path(saved.base_model) == Path(warm_checkpoint)
    first = next(saved.reference_model().parameters())
    assert not torch.equal(first, next(saved.model.parameters()))
