"""Sampling with vLLM (GPU extra, `pip install -e .[gpu]`), behind `PolicyConfig.use_vllm`.

UNTESTED HERE: vLLM has only CUDA wheels and is too large for the project's CPU machines, so this path has not
yet run (tests/policy/test_vllm_gpu.py, `gpu`-marked, checks the three points below on the first GPU run).

What reading the path for correctness fixed, and what it now guarantees:
  * **New weights after an update.** vLLM cannot see in-memory weights: it reads a saved checkpoint. The
    engine is keyed by the checkpoint the policy's weights were last saved to (`Policy.source`, which
    `iteration.update.save_checkpoint` now moves to the new folder), so the iteration after an update
    generates from the updated weights; before, the engine cached for the first checkpoint was reused for the
    whole run (and every new one would have been kept beside it).
  * **One engine, a stated share of the GPU.** At most one engine lives per process: a different checkpoint
    closes the old engine (and frees its memory) before the new one starts. vLLM takes
    `policy.vllm_gpu_memory` of the GPU's memory (weights + KV cache; vLLM's default, 0.9, left the update
    nothing); the training model, its optimizer state and activations must fit in the rest, the budget
    docs/configuration.md states.
  * **LoRA checkpoints.** A LoRA checkpoint holds adapters only, which vLLM cannot load as a model: the engine
    serves the base model with LoRA enabled (rank `policy.lora_r`), and each generate call names the
    checkpoint's adapters (a LoRARequest per folder), so the base engine is kept across LoRA updates. Fresh
    adapters not yet saved are zero (LoRA's B = 0): the base model alone generates the same tokens.

Log-probs are vLLM's `processed_logprobs` (after temperature), which is what TRL asks of a vLLM server too.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from conductor.config import PolicyConfig
from conductor.policy.generation import Generation

_ENGINE: dict[str, Any] = {}  # "spec" -> EngineSpec, "llm" -> the vLLM engine; one engine per process
_LORA_IDS: dict[str, int] = {}  # adapter folder -> the int id vLLM caches it under


class Sampled(Protocol):
    """What this generator needs of a policy (conductor.policy.model.Policy has it)."""

    source: str
    base_model: str
    cfg: PolicyConfig
    eos_token_ids: list[int]

    @property
    def is_lora(self) -> bool: ...

    def encode(self, text: str) -> list[int]: ...


@dataclass(frozen=True)
class EngineSpec:
    """The engine a policy's weights need, and the adapters (if any) each request names."""

    model: str  # what vLLM loads: a checkpoint folder, an HF id, or (LoRA) the base model
    gpu_memory_utilization: float
    max_lora_rank: int | None  # None: LoRA off
    seed: int

    @property
    def lora(self) -> bool:
        return self.max_lora_rank is not None


def engine_spec(policy: Sampled, seed: int) -> tuple[EngineSpec, str | None]:
    """The engine for `policy`'s current weights and the adapter folder to request (LoRA), without vLLM."""
    memory = policy.cfg.vllm_gpu_memory
    if policy.is_lora:
        saved = Path(policy.source, "adapter_config.json").is_file()
        spec = EngineSpec(policy.base_model, memory, max(policy.cfg.lora_r, 8), seed)
        return spec, policy.source if saved else None
    return EngineSpec(policy.source, memory, None, seed), None


def _close_engine() -> None:
    """Drop the engine and give its GPU memory back before another starts."""
    llm = _ENGINE.pop("llm", None)
    _ENGINE.pop("spec", None)
    if llm is None:
        return
    try:
        from vllm.distributed.parallel_state import cleanup_dist_env_and_memory
    except ImportError:  # older/newer layouts: freeing the object is what matters
        cleanup_dist_env_and_memory = None
    del llm
    gc.collect()
    if cleanup_dist_env_and_memory is not None:
        cleanup_dist_env_and_memory()
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def engine_for(spec: EngineSpec) -> Any:
    """The process's engine for `spec`, started (after closing another) when it is not the current one."""
    from vllm import LLM  # the GPU extra: absent on CPU machines (named lazy import)

    if _ENGINE.get("spec") != spec:
        _close_engine()
        kwargs: dict[str, Any] = {
            "model": spec.model,
            "seed": spec.seed,
            "logprobs_mode": "processed_logprobs",
            "gpu_memory_utilization": spec.gpu_memory_utilization,
        }
        if spec.lora:
            kwargs.update(enable_lora=True, max_lora_rank=spec.max_lora_rank, max_loras=1)
        _ENGINE["llm"] = LLM(**kwargs)
        _ENGINE["spec"] = spec
    return _ENGINE["llm"]


def generate_vllm(
    policy: Sampled, prompt_texts: list[str], n: int, temperature: float | None, max_new_tokens: int | None, seed: int
) -> list[list[Generation]]:
    try:  # the GPU extra: absent on CPU machines, so imported only here (named lazy import)
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt
        from vllm.lora.request import LoRARequest
    except ImportError as err:
        raise RuntimeError(
            "PolicyConfig.use_vllm is on but vLLM is not installed: it is a GPU-only extra "
            "(`pip install -e .[gpu]` on a CUDA machine), or set policy.use_vllm=false"
        ) from err
    spec, adapters = engine_spec(policy, seed)
    llm = engine_for(spec)
    lora = None
    if adapters is not None:
        lora_id = _LORA_IDS.setdefault(adapters, len(_LORA_IDS) + 1)
        lora = LoRARequest(f"conductor-{lora_id}", lora_id, adapters)
    temp = policy.cfg.temperature if temperature is None else temperature
    params = SamplingParams(
        n=n,
        temperature=temp,
        top_p=1.0,
        top_k=-1,
        max_tokens=max_new_tokens or policy.cfg.max_new_tokens,
        logprobs=0,
        seed=seed,
        stop_token_ids=policy.eos_token_ids,
    )
    prompts = [TokensPrompt(prompt_token_ids=policy.encode(t)) for t in prompt_texts]
    results = []
    for req in llm.generate(prompts, params, lora_request=lora):
        gens = []
        for c in req.outputs:
            ids = list(c.token_ids)
            lps = [float(step[tok].logprob) for step, tok in zip(c.logprobs, ids, strict=True)]
            gens.append(
                Generation(
                    text=c.text,
                    token_ids=ids,
                    logprobs=lps,
                    finish_reason="stop" if c.finish_reason == "stop" else "length",
                )
            )
        results.append(gens)
    return results
