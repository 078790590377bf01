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
    args = argparse.Namespace(
        micro=micro_size, group=8, lr=1e-3, completion_tokens=12, bf16=False, gradient_checkpointing=False
    )
    batch = make_batch(micro, rows=16, group=8, prompt_tokens=20, completion_tokens=12, seed=3)
    trl = TRLUpdate(micro, batch, args, str(tmp_path))
    trl_loss, trl_grads = trl.gradients()

    cfg = TrainConfig(
        micro_batch_size=micro_size,
        mini_batch_size=0,
        kl_beta=0.0,
        clip_epsilon=0.2,
        loss_type="bnpo",
        max_grad_norm=1e9,
        learning_rate=1e-3,
    )
    recorder = _GradientRecorder(micro.trainable_parameters(), lr=1e-3)
    _, hist = grpo_update(micro, batch.rows, cfg, optimizer=recorder)

    assert hist[0]["ratio_mean"] == pytest.approx(1.0, abs=1e-5)  # old log-probs are the current weights'
    assert hist[0]["loss"] == pytest.approx(trl_loss, rel=1e-4, abs=1e-6)
    names = [n for n, p in micro.model.named_parameters() if p.requires_grad]
    assert len(recorder.grads) == len(names) == len(trl_grads)
    for name, ours in zip(names, recorder.grads, strict=True):
        torch.testing.assert_close(ours, trl_grads[name], rtol=1e-4, atol=1e-7, msg=lambda m, n=name: f"{n}: {m}")
    assert any(g.abs().sum() > 0 for g in recorder.grads)


def test_the_benchmark_runs_and_prints_its_line(tmp_path) -> None:
    """The command the GPU check runs, at a size a CPU test affords."""
    import os
    import re
    import subprocess
    import sys

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TMPDIR": str(tmp_path)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.update_vs_trl",
            "--size",
            "micro",
            "--rows",
            "8",
            "--group",
            "4",
            "--micro",
            "4",
            "--prompt-tokens",
            "16",
            "--completion-tokens",
            "8",
            "--repeats",
            "2",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    ).stdout
    last = out.strip().splitlines()[-1]
    m = re.fullmatch(r"update_vs_trl ours_s=([\d.]+) trl_s=([\d.]+) ratio=([\d.]+) device=cpu model=micro", last)
    assert m, last
    assert float(m.group(3)) == pytest.approx(float(m.group(1)) / float(m.group(2)), rel=0.01)
    losses = re.search(r"first step's loss: ours (\S+), TRL (\S+)", out)
    assert losses and float(losses.group(1)) == pytest.approx(float(losses.group(2)), rel=1e-4, abs=1e-6)
    assert not list(tmp_path.glob("update-vs-trl-*")), "the built model is removed"
