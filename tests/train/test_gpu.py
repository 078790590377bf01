"""The GPU path: bf16, gradient checkpointing and LoRA on CUDA (skipped without a GPU)."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.gpu


@pytest.mark.parametrize("lora", [False, True])
def test_bf16_checkpointed_update_on_cuda(micro_dir, lora):
    import torch

    from conductor.config import PolicyConfig, TrainConfig
    from conductor.policy.model import Policy
    from conductor.train.grpo import UpdateRow, grpo_update

    pol = Policy.load(
        micro_dir, PolicyConfig(device="auto", dtype="auto", lora=lora, lora_r=4), gradient_checkpointing=True
    )
    assert pol.device.type == "cuda"
    assert next(pol.model.parameters()).dtype == torch.bfloat16 or lora
    prompt = "<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n"
    gens = pol.generate([prompt], n=4, temperature=1.0, max_new_tokens=16, seed=0)[0]
    rows = [UpdateRow(prompt, g.token_ids, g.logprobs, a) for g, a in zip(gens, [1.0, -1.0, 0.5, -0.5], strict=True)]
    before = [p.detach().clone() for p in pol.trainable_parameters()]
    cfg = TrainConfig(learning_rate=1e-3, bf16=True, gradient_checkpointing=True, micro_batch_size=2)
    _, m = grpo_update(pol, rows, cfg)
    assert math.isfinite(m[0]["loss"]) and m[0]["grad_norm"] > 0
    assert abs(m[0]["ratio_mean"] - 1.0) < 0.05  # bf16 sampling vs bf16 recompute: close, not exact
    assert any(not torch.equal(a, b) for a, b in zip(before, pol.trainable_parameters(), strict=True))
