"""Per-token log-probabilities of given completions, recomputed with one forward pass.

Used by the GRPO update (new log-probs under the current weights), the KL term (under the reference) and
SFT (the loss on completion tokens). Layout as in TRL's GRPOTrainer: prompts left-padded, completions
right-padded, one row each, so every completion starts at the same column and `logits_to_keep` limits the
LM head to the completion. Position ids count only real tokens, exactly as `generate` counts them under left
padding, so the log-prob of a stored token is the one it had when it was sampled (up to float rounding).

Temperature: the logits are divided by the sampling temperature before the softmax, as TRL does, so the
ratio new/old compares the same distribution the token was drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from trl.trainer.utils import selective_log_softmax, selective_log_softmax_and_entropy


@dataclass
class PackedBatch:
    input_ids: torch.Tensor  # (B, P + C): left-padded prompts, then right-padded completions
    attention_mask: torch.Tensor  # (B, P + C)
    position_ids: torch.Tensor  # (B, P + C)
    completion_ids: torch.Tensor  # (B, C)
    completion_mask: torch.Tensor  # (B, C) float: 1 on real completion tokens

    @property
    def n_completion_tokens(self) -> int:
        return int(self.completion_mask.sum().item())


def pack(prompt_ids: list[list[int]], completion_ids: list[list[int]], pad_id: int, device) -> PackedBatch:
    """Left-pad the prompts and right-pad the completions into one batch."""
    if len(prompt_ids) != len(completion_ids):
        raise ValueError("one completion per prompt")
    p_len = max(len(p) for p in prompt_ids)
    c_len = max(1, max(len(c) for c in completion_ids))
    b = len(prompt_ids)
    ids = torch.full((b, p_len + c_len), pad_id, dtype=torch.long)
    att = torch.zeros((b, p_len + c_len), dtype=torch.long)
    for i, (p, c) in enumerate(zip(prompt_ids, completion_ids, strict=True)):
        ids[i, p_len - len(p) : p_len] = torch.tensor(p, dtype=torch.long)
        att[i, p_len - len(p) : p_len] = 1
        if c:
            ids[i, p_len : p_len + len(c)] = torch.tensor(c, dtype=torch.long)
            att[i, p_len : p_len + len(c)] = 1
    pos = (att.cumsum(-1) - 1).clamp(min=0)
    return PackedBatch(
        input_ids=ids.to(device),
        attention_mask=att.to(device),
        position_ids=pos.to(device),
        completion_ids=ids[:, p_len:].to(device),
        completion_mask=att[:, p_len:].float().to(device),
    )


def completion_logprobs(
    model, batch: PackedBatch, temperature: float = 1.0, with_entropy: bool = False
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(B, C) log-probs of the completion tokens at `temperature` (0 on padding), and optionally entropies.

    The selection is TRL's own `selective_log_softmax_and_entropy`, so the numbers are the ones its
    GRPOTrainer would compute for the same tokens.
    """
    t = temperature if temperature > 0 else 1.0
    c = batch.completion_ids.size(1)
    out = model(
        input_ids=batch.input_ids,
        attention_mask=batch.attention_mask,
        position_ids=batch.position_ids,
        logits_to_keep=c + 1,
        use_cache=False,
    )
    logits = out.logits[:, :-1, :]  # position j predicts completion token j
    if with_entropy:
        logps, entropy = selective_log_softmax_and_entropy(
            logits, batch.completion_ids, entropy_requires_grad=False, temperature=t
        )
        return logps * batch.completion_mask, entropy * batch.completion_mask
    return selective_log_softmax(logits, batch.completion_ids, temperature=t) * batch.completion_mask, None
