"""Sampling with vLLM (GPU extra, `pip install -e .[gpu]`), behind `PolicyConfig.use_vllm`.

UNTESTED HERE: vLLM has only CUDA wheels and is too large for the project's GPU machine, so
this path has never run in CI. It is kept small on purpose: one engine per process, weights read from the
policy's last saved checkpoint (vLLM cannot see in-memory weights), log-probs as vLLM's `processed_logprobs`
(after temperature), which is what TRL asks of a vLLM server too.
"""

from __future__ import annotations

from typing import Any, Protocol

from conductor.config import PolicyConfig
from conductor.policy.generation import Generation

_ENGINES: dict[str, Any] = {}


class Sampled(Protocol):
    """What this generator needs of a policy (conductor.policy.model.Policy has it)."""

    source: str
    cfg: PolicyConfig
    eos_token_ids: list[int]

    def encode(self, text: str) -> list[int]: ...


def generate_vllm(
    policy: Sampled, prompt_texts: list[str], n: int, temperature: float | None, max_new_tokens: int | None, seed: int
) -> list[list[Generation]]:
    try:  # the GPU extra: absent on CPU machines, so imported only here (named lazy import)
        from vllm import LLM, SamplingParams
        from vllm.inputs import TokensPrompt
    except ImportError as err:
        raise RuntimeError(
            "PolicyConfig.use_vllm is on but vLLM is not installed: it is a GPU-only extra "
            "(`pip install -e .[gpu]` on a CUDA machine), or set policy.use_vllm=false"
        ) from err
    source = policy.source
    if source not in _ENGINES:
        _ENGINES[source] = LLM(model=source, seed=seed, logprobs_mode="processed_logprobs")
    llm = _ENGINES[source]
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
    for req in llm.generate(prompts, params):
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
