"""On a GPU with vLLM (the `gpu` extra): the three correctness points of conductor/policy/vllm_gen.py, on the
tiny Qwen2 Conductor. Skipped on CPU machines and where vLLM is not installed; the first GPU run finds out."""

from __future__ import annotations

import pytest
import torch

pytestmark = pytest.mark.gpu

PROMPT = "Question: What is 2 + 2?\nModels: 0 1 2\nPlan:\n"


def _policy(path, **cfg):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy

    return Policy.load(path, PolicyConfig(device="cuda", dtype="float32", use_vllm=True, **cfg))


def _hf_logprobs(policy, prompt_ids, ids):
    """Log-probs of `ids` after `prompt_ids` under the policy's in-memory weights (temperature 1)."""
    x = torch.tensor([prompt_ids + ids], device=policy.device)
    with torch.no_grad():
        logits = policy.model(x).logits[0, len(prompt_ids) - 1 : -1].float()
    return torch.log_softmax(logits, -1).gather(-1, torch.tensor(ids, device=x.device)[:, None]).squeeze(-1)


def _close(policy, prompt):
    gen = policy.generate([prompt], n=1, temperature=1.0, max_new_tokens=16, seed=0)[0][0]
    hf = _hf_logprobs(policy, policy.encode(prompt), gen.token_ids)
    return torch.allclose(torch.tensor(gen.logprobs, device=hf.device), hf, atol=5e-2)


def test_vllm_generates_from_the_weights_an_update_saved(tiny_dir, tmp_path):
    pytest.importorskip("vllm")
    from conductor.iteration.update import save_checkpoint

    policy = _policy(tiny_dir, vllm_gpu_memory=0.2)
    assert _close(policy, PROMPT)
    with torch.no_grad():  # an "update" that changes what the model writes
        for p in policy.model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    save_checkpoint(policy, torch.optim.SGD(policy.trainable_parameters(), lr=0.0), tmp_path / "iter-1")
    assert _close(policy, PROMPT), "vLLM sampled from the old weights after an update"


def test_vllm_takes_only_its_share_of_the_gpu(tiny_dir):
    pytest.importorskip("vllm")
    from conductor.policy import vllm_gen

    policy = _policy(tiny_dir, vllm_gpu_memory=0.2)
    free_before, total = torch.cuda.mem_get_info()
    policy.generate([PROMPT], n=1, max_new_tokens=4, seed=0)
    free_after, _ = torch.cuda.mem_get_info()
    assert (free_before - free_after) / total <= 0.2 + 0.05
    vllm_gen._close_engine()
    assert torch.cuda.mem_get_info()[0] > free_after + 0.1 * total, "closing the engine gave no memory back"


def test_a_lora_checkpoint_generates_with_its_adapters(tiny_dir, tmp_path):
    pytest.importorskip("vllm")
    from conductor.iteration.update import save_checkpoint

    policy = _policy(tiny_dir, lora=True, lora_r=8, vllm_gpu_memory=0.2)
    with torch.no_grad():
        for name, p in policy.model.named_parameters():
            if "lora_B" in name:
                p.add_(torch.randn_like(p) * 0.05)
    save_checkpoint(policy, torch.optim.SGD(policy.trainable_parameters(), lr=0.0), tmp_path / "iter-1")
    assert _close(policy, PROMPT), "vLLM did not apply the checkpoint's LoRA adapters"
