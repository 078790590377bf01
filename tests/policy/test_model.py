"""Policy: loading (with readable errors offline), prompts, seeded sampling with log-probs, checkpoints."""

from __future__ import annotations

import math

import pytest
import torch
from tiny_kit import PREFILL, QUESTIONS, messages

from conductor.config import PolicyConfig
from conductor.policy.logprobs import completion_logprobs, pack
from conductor.policy.model import Policy, PolicyLoadError, load_optimizer_state


def test_uncached_hub_id_offline_names_the_id(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(PolicyLoadError) as err:
        Policy.load("conductor-tests/no-such-model-7b", PolicyConfig(device="cpu"))
    msg = str(err.value)
    assert "conductor-tests/no-such-model-7b" in msg and "HF_HUB_OFFLINE" in msg and "unreachable" in msg


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(PolicyLoadError, match="does not exist"):
        Policy.load(str(tmp_path / "nothing-here"), PolicyConfig(device="cpu"))


def test_cpu_defaults(policy):
    assert policy.device.type == "cpu"
    assert next(policy.model.parameters()).dtype == torch.float32
    assert policy.tokenizer.eos_token_id in policy.eos_token_ids


def test_render_prompt_continues_the_assistant_turn(policy):
    text = policy.render_prompt(messages(QUESTIONS[0], [0, 2]), PREFILL)
    assert text.endswith("<|im_start|>assistant\n" + PREFILL)
    assert text.count("<|im_end|>") == 2  # system and user turns closed, the assistant turn left open


def _prompts(policy, k=3):
    # Different lengths, so left padding is exercised.
    return [policy.render_prompt(messages(QUESTIONS[i], list(range(1 + 2 * i))), PREFILL) for i in range(k)]


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_generate_logprobs_match_a_fresh_forward(policy, temperature):
    """Stored prompt text, tokenised again, plus the sampled ids give back the sampled log-probs."""
    prompts = _prompts(policy)
    out = policy.generate(prompts, n=4, temperature=temperature, max_new_tokens=24, seed=1)
    assert [len(g) for g in out] == [4, 4, 4]
    flat = [(p, g) for p, gs in zip(prompts, out, strict=True) for g in gs]
    for _, g in flat:
        assert len(g.token_ids) == len(g.logprobs) > 0
        assert all(lp <= 0 for lp in g.logprobs)
        assert g.finish_reason in {"stop", "length"}
        if g.finish_reason == "stop":
            assert g.token_ids[-1] in policy.eos_token_ids
        else:
            assert len(g.token_ids) == 24
    batch = pack(
        [policy.encode(p) for p, _ in flat], [g.token_ids for _, g in flat], policy.pad_token_id, policy.device
    )
    with torch.no_grad():
        new, _ = completion_logprobs(policy.model, batch, temperature)
    for i, (_, g) in enumerate(flat):
        assert new[i, : len(g.logprobs)].tolist() == pytest.approx(g.logprobs, abs=1e-4)


def test_generate_is_seeded(policy):
    prompts = _prompts(policy, 2)
    state = torch.random.get_rng_state()
    a = policy.generate(prompts, n=3, temperature=1.0, max_new_tokens=16, seed=7)
    b = policy.generate(prompts, n=3, temperature=1.0, max_new_tokens=16, seed=7)
    c = policy.generate(prompts, n=3, temperature=1.0, max_new_tokens=16, seed=8)
    assert torch.equal(state, torch.random.get_rng_state())  # the global RNG is left alone
    ids = lambda out: [g.token_ids for gs in out for g in gs]  # noqa: E731
    assert ids(a) == ids(b)
    assert ids(a) != ids(c)


def test_greedy_is_batch_independent(policy):
    prompts = _prompts(policy, 3)
    together = policy.generate(prompts, n=1, temperature=0.0, max_new_tokens=12, seed=0)
    alone = [policy.generate([p], n=1, temperature=0.0, max_new_tokens=12, seed=0)[0] for p in prompts]
    assert [g[0].token_ids for g in together] == [g[0].token_ids for g in alone]


def test_save_and_reload_with_optimizer(policy, tmp_path):
    opt = torch.optim.AdamW(policy.trainable_parameters(), lr=1e-3)
    loss = sum(p.sum() for p in policy.trainable_parameters())
    loss.backward()
    opt.step()
    ckpt = policy.save(tmp_path / "ckpt", optimizer=opt)
    again = Policy.load(ckpt, PolicyConfig(device="cpu"))
    assert again.base_model == policy.base_model  # the KL reference stays the original base
    for a, b in zip(policy.model.parameters(), again.model.parameters(), strict=True):
        assert torch.equal(a, b)
    prompts = _prompts(policy, 1)
    assert (
        policy.generate(prompts, n=2, max_new_tokens=10, seed=3)[0][0].token_ids
        == again.generate(prompts, n=2, max_new_tokens=10, seed=3)[0][0].token_ids
    )
    opt2 = torch.optim.AdamW(again.trainable_parameters(), lr=1e-3)
    assert load_optimizer_state(opt2, ckpt)
    s1, s2 = opt.state_dict()["state"], opt2.state_dict()["state"]
    assert s1.keys() == s2.keys() and torch.equal(s1[0]["exp_avg"], s2[0]["exp_avg"])
    assert not load_optimizer_state(opt2, tmp_path)


def test_lora_trains_adapters_only_and_reloads(tiny_dir, tmp_path):
    cfg = PolicyConfig(device="cpu", lora=True, lora_r=4, lora_alpha=8)
    pol = Policy.load(tiny_dir, cfg)
    assert pol.is_lora
    trainable = pol.trainable_parameters()
    total = sum(p.numel() for p in pol.model.parameters())
    assert 0 < sum(p.numel() for p in trainable) < total / 5
    with torch.no_grad():  # make the adapters non-trivial so a reload that drops them would show
        for name, p in pol.model.named_parameters():
            if "lora_B" in name:
                p.add_(0.05)
    ckpt = pol.save(tmp_path / "lora")
    assert (ckpt / "adapter_config.json").is_file()
    again = Policy.load(ckpt, PolicyConfig(device="cpu"))
    assert again.is_lora and again.trainable_parameters()
    prompts = _prompts(pol, 1)
    a = pol.generate(prompts, n=1, temperature=0.0, max_new_tokens=10)[0][0]
    b = again.generate(prompts, n=1, temperature=0.0, max_new_tokens=10)[0][0]
    assert a.token_ids == b.token_ids
    assert all(math.isclose(x, y, abs_tol=1e-4) for x, y in zip(a.logprobs, b.logprobs, strict=True))


def test_vllm_switch_fails_clearly_without_vllm(tiny_dir):
    try:
        import vllm  # noqa: F401

        pytest.skip("vLLM is installed here")
    except ImportError:
        pass
    pol = Policy.load(tiny_dir, PolicyConfig(device="cpu", use_vllm=True))
    with pytest.raises(RuntimeError, match="vLLM is not installed"):
        pol.generate(["x"], n=1)
