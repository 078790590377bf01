"""Build a tiny, randomly initialised Conductor that needs no download: a Qwen2-architecture causal LM and a
byte-level BPE tokenizer trained on a given corpus.

Why a Qwen2 architecture: the paper's Conductor is Qwen2.5-7B-Instruct, so the tiny model exercises the same
code paths (config, chat template, padding, generation, LoRA target names) as the real one.

Why the tokenizer is trained with Qwen2's own pipeline (NFC normaliser, Qwen2's split regex, byte-level
without a prefix space): in transformers 5, `AutoTokenizer` reloads any tokenizer of a `qwen2` model as
`Qwen2Tokenizer`, which swaps in exactly that pipeline. Trained any other way, the ids would change on reload
(tests/tiny/test_tiny_model.py checks that they do not). Byte-level means every text encodes, whatever characters a
task holds.

Run: `python -m conductor.tiny.model OUT_DIR CORPUS.txt` (one document per line) to build one by hand.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, trainers
from tokenizers.models import BPE
from transformers import GenerationConfig, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

# Qwen2's pre-tokenisation regex, as transformers' Qwen2Tokenizer sets it (kept identical on purpose).
QWEN2_SPLIT_REGEX = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"""
    r"""|\s+(?!\S)|\s+"""
)
END_OF_TEXT, IM_START, IM_END = "<|endoftext|>", "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS = [END_OF_TEXT, IM_START, IM_END]

# Qwen's ChatML framing: one turn per message; the generation prompt opens an assistant turn, which the
# caller's prefill then continues. The turn ends with <|im_end|>, the tokenizer's EOS.
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}"
)


@dataclass(frozen=True)
class TinySize:
    """Shape of a tiny model. `tiny` is the CPU default: SFT to a parseable format in well under a minute on
    2 cores, and still enough capacity to shift its choices under GRPO."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    max_position_embeddings: int = 2048
    # Rows of the embedding (and tied output layer) when the model should have a real model's vocabulary
    # whatever the tokenizer learned: the output layer is much of a small model's compute.
    model_vocab_size: int | None = None


SIZES: dict[str, TinySize] = {
    "micro": TinySize(
        vocab_size=1024,
        hidden_size=64,
        intermediate_size=192,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    ),
    "tiny": TinySize(
        vocab_size=2048,
        hidden_size=128,
        intermediate_size=384,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    ),
    "small": TinySize(
        vocab_size=4096,
        hidden_size=256,
        intermediate_size=768,
        num_hidden_layers=4,
        num_attention_heads=8,
        num_key_value_heads=2,
    ),
    # Qwen2.5-0.5B's shape (494 M parameters), randomly initialised: for timing the GPU path (and running the
    # pipeline there) where no hub is reachable. It learns nothing useful on a CPU.
    "qwen-0.5b": TinySize(
        vocab_size=8192,
        hidden_size=896,
        intermediate_size=4864,
        num_hidden_layers=24,
        num_attention_heads=14,
        num_key_value_heads=2,
        max_position_embeddings=32768,
        model_vocab_size=151936,
    ),
}


def train_tokenizer(corpus: list[str], vocab_size: int):
    """A byte-level BPE tokenizer in Qwen2's pipeline, with ChatML special tokens, as a transformers tokenizer."""
    tok = Tokenizer(
        BPE(unk_token=None, continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False, byte_fallback=False)
    )
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer)
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token=IM_END, pad_token=END_OF_TEXT, unk_token=None, bos_token=None
    )
    hf.chat_template = CHAT_TEMPLATE
    return hf


def build_tiny_conductor(out_dir: str | Path, corpus: list[str], seed: int = 0, size: str = "tiny") -> Path:
    """Train a tokenizer on `corpus`, build a randomly initialised Qwen2 causal LM, save both to `out_dir`.

    `corpus` should hold text like what the model will read and write (prompts and workflows), so that BPE
    merges make those short. Deterministic for a given corpus, seed and size.
    """
    if size not in SIZES:
        raise ValueError(f"unknown tiny size {size!r}; choose one of {sorted(SIZES)}")
    if not corpus:
        raise ValueError("the tokenizer corpus is empty")
    shape = SIZES[size]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    tokenizer = train_tokenizer(corpus, shape.vocab_size)
    random.seed(seed)
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=max(len(tokenizer), shape.model_vocab_size or 0),
        hidden_size=shape.hidden_size,
        intermediate_size=shape.intermediate_size,
        num_hidden_layers=shape.num_hidden_layers,
        num_attention_heads=shape.num_attention_heads,
        num_key_value_heads=shape.num_key_value_heads,
        max_position_embeddings=shape.max_position_embeddings,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2ForCausalLM(config)
    # Sampling is set by the caller on every call; the saved defaults only say "sample, no top-k / top-p", so
    # logprobs recorded at generation are those of the plain temperature-scaled distribution.
    model.generation_config = GenerationConfig(
        do_sample=True,
        temperature=1.0,
        top_k=0,
        top_p=1.0,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        raise SystemExit("usage: python -m conductor.tiny.model OUT_DIR CORPUS.txt")
    corpus = [line for line in Path(args[1]).read_text().splitlines() if line.strip()]
    print(build_tiny_conductor(args[0], corpus))


if __name__ == "__main__":
    main()
