"""The vLLM generator's engine choice, read without vLLM: after an update it serves the new checkpoint, it takes
only its stated share of the GPU, and a LoRA checkpoint is served as base model + that checkpoint's adapters.
tests/policy/test_vllm_gpu.py checks the same on a GPU with vLLM itself."""

from __future__ import annotations

import json
from pathlib import Path

from conductor.config import PolicyConfig
from conductor.policy.vllm_gen import engine_spec


class _Policy:
    def __init__(self, source: str, base: str, lora: bool, cfg: PolicyConfig) -> None:
        self.source, self.base_model, self._lora, self.cfg, self.eos_token_ids = source, base, lora, cfg, [0]

    @property
    def is_lora(self) -> bool:
        return self._lora

    def encode(self, text: str) -> list[int]:
        return [1]


def test_after_an_update_the_engine_is_the_new_checkpoints(tmp_path):
    from conductor.iteration.update import save_checkpoint

    class Saving(_Policy):
        def save(self, out, optimizer=None):
            Path(out).mkdir(parents=True)
            (Path(out) / "config.json").write_text(json.dumps({}))

    cfg = PolicyConfig(use_vllm=True, vllm_gpu_memory=0.25)
    policy = Saving("Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct", False, cfg)
    before, _ = engine_spec(policy, seed=0)
    save_checkpoint(policy, None, tmp_path / "iter-1")  # what update_step does
    after, adapters = engine_spec(policy, seed=0)
    assert before.model == "Qwen/Qwen2.5-7B-Instruct" and after.model == str(tmp_path / "iter-1")
    assert before != after and adapters is None  # a different engine: the old one is closed, the new one started
    assert after.gpu_memory_utilization == 0.25  # the stated budget, not vLLM's 0.9


def test_a_lora_checkpoint_is_the_base_engine_with_its_adapters(tmp_path):
    cfg = PolicyConfig(use_vllm=True, lora=True, lora_r=16)
    fresh = _Policy("Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct", True, cfg)
    spec0, adapters0 = engine_spec(fresh, seed=0)
    assert spec0.model == "Qwen/Qwen2.5-7B-Instruct" and spec0.lora and adapters0 is None  # B = 0: base alone
    saved = tmp_path / "iter-1"
    saved.mkdir()
    (saved / "adapter_config.json").write_text("{}")
    trained = _Policy(str(saved), "Qwen/Qwen2.5-7B-Instruct", True, cfg)
    spec1, adapters1 = engine_spec(trained, seed=0)
    assert spec1 == spec0 and adapters1 == str(saved)  # the engine is kept; the request names the new adapters
    assert spec1.max_lora_rank == 16
