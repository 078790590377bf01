"""The tiny Conductor: its tokenizer survives a reload unchanged, and its shape is what was asked for."""

from __future__ import annotations

import json
import unicodedata

import pytest
from tiny_kit import PREFILL, QUESTIONS, messages

TEXTS = [
    'model_id = [2, 0, 3]\nsubtasks = ["Solve the problem.", "Review."]\naccess_list = [[], ["all"]]',
    "Model id 6\nUSER QUESTION:\nWhat is 17 * 23?",
    "unseen: nai\u0308ve café, ∑ x², 北京, emoji 🎼, tabs\tand  double  spaces\n\n",
    "<idea>x</idea><answer>42</answer> it's we'll 1234567",
]


def test_reload_gives_identical_ids(tiny_dir):
    """AutoTokenizer reloads a qwen2 tokenizer as Qwen2Tokenizer; ids must not change."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    saved = PreTrainedTokenizerFast(tokenizer_file=str(tiny_dir / "tokenizer.json"))
    auto = AutoTokenizer.from_pretrained(tiny_dir)
    assert type(auto).__name__ == "Qwen2Tokenizer"
    prompt = (
        auto.apply_chat_template(messages(QUESTIONS[0], [0, 3, 5]), add_generation_prompt=True, tokenize=False)
        + PREFILL
    )
    for text in [*TEXTS, prompt]:
        ids = auto(text, add_special_tokens=False)["input_ids"]
        assert ids == saved(text, add_special_tokens=False)["input_ids"]
        assert auto.decode(ids) == unicodedata.normalize("NFC", text)  # byte-level: every text round-trips
    assert auto.convert_ids_to_tokens(auto("<|im_start|>user", add_special_tokens=False)["input_ids"])[0] == (
        "<|im_start|>"
    )


def test_chat_template_opens_assistant_turn(tiny_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_dir)
    text = tok.apply_chat_template(messages("Q?", [1]), add_generation_prompt=True, tokenize=False)
    assert text.startswith("<|im_start|>system\n")
    assert text.endswith("<|im_end|>\n<|im_start|>assistant\n")
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"


def test_shape_and_determinism(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM

    from conductor.tiny.model import SIZES, build_tiny_conductor

    corpus = TEXTS * 5
    a = build_tiny_conductor(tmp_path / "a", corpus, seed=3, size="micro")
    b = build_tiny_conductor(tmp_path / "b", corpus, seed=3, size="micro")
    cfg = json.loads((a / "config.json").read_text())
    assert cfg["model_type"] == "qwen2"
    assert cfg["hidden_size"] == SIZES["micro"].hidden_size
    assert cfg["num_hidden_layers"] == SIZES["micro"].num_hidden_layers
    assert cfg["vocab_size"] <= SIZES["micro"].vocab_size + 3
    ma, mb = AutoModelForCausalLM.from_pretrained(a), AutoModelForCausalLM.from_pretrained(b)
    for pa, pb in zip(ma.parameters(), mb.parameters(), strict=True):
        assert torch.equal(pa, pb)
    with pytest.raises(ValueError, match="unknown tiny size"):
        build_tiny_conductor(tmp_path / "c", corpus, size="huge")
