"""Our update and TRL's GRPOTrainer compute the same loss and the same gradients on the same batch.

The harness is benchmarks/update_vs_trl.py's (the one that times the two on a GPU), so the figure it reports
compares two updates that are the same update.
"""

from __future__ import annotations

import argparse

import pytest
import torch

from benchmarks.update_vs_trl import TRLUpdate, make_batch
from conductor.config import TrainConfig
from conductor.train.grpo import grpo_update


class _GradientRecorder(torch.optim.SGD):
    """Keeps the gradients it is asked to apply, and applies nothing."""

    def step(self, closure=None):
        self.grads = [p.grad.detach().clone() for g in self.param_groups for p in g["params"]]


@pytest.mark.parametrize("micro_size", [4, 16])
def test_our_update_matches_trl_grpo_trainer(micro, micro_size, tmp_path) -> None:
    args = argparse.Namespace(micro=micro_size, group=8, lr=1e-3, completion_tokens=12, bf16=False,
                              gradient_checkpointing=False)
    batch = make_batch(micro, rows=16, group=8, prompt_tokens=20, completion_tokens=12, seed=3)
    trl = TRLUpdate(micro, batch, args, str(tmp_path))
    trl_loss, trl_grads = trl.gradients()

    cfg = TrainConfig(micro_batch_size=micro_size, mini_batch_size=0, kl_beta=0.0, clip_epsilon=0.2,
                      loss_type="bnpo", max_grad_norm=1e9, learning_rate=1e-3)
    recorder = _GradientRecorder(micro.trainable_parameters(), lr=1e-3)
    _, hist = grpo_update(micro, batch.rows, cfg, optimizer=recorder)

    assert hist[0]["ratio_mean"] == pytest.approx(1.0, abs=1e-5)  # old log-probs are the current weights'
    assert hist[0]["loss"] == pytest.approx(trl_loss, rel=1e-4, abs=1e-6)
    names = [n for n, p in micro.model.named_parameters() if p.requires_grad]
    assert len(recorder.grads) == len(names) == len(trl_grads)
    for name, ours in zip(names, recorder.grads, strict=True):
        torch.testing.assert_close(ours, trl_grads[name], rtol=1e-4, atol=1e-7, msg=lambda m, n=name: f"{n}: {m}")
    assert any(g.abs().sum() > 0 for g in recorder.grads)
