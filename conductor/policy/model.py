"""The Conductor model: load any HF id or local folder, render its prompt, sample workflows, save checkpoints.

One class, `Policy`, wraps a causal LM and its tokenizer. What it guarantees to the rest of the pipeline:
  * the prompt is one string (`render_prompt`): the chat template with the assistant turn opened and the
    prefill appended, so generation continues that turn (paper section 3). The store keeps this string, and
    tokenising it again (`encode`) gives the ids generation saw, because both use `add_special_tokens=False`;
  * each sample carries its token ids and per-token log-probs under the distribution it was drawn from
    (logits / temperature, no top-k / top-p / repetition penalty, as TRL samples), which GRPO needs as the
    "old" log-probs;
  * sampling is seeded and leaves the global RNG untouched.

Checkpoints are ordinary `save_pretrained` folders (adapters only when LoRA) plus `conductor_policy.json`,
which records the base model so a LoRA checkpoint or the KL reference can be rebuilt, and optionally
`optimizer.pt` for resume.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from huggingface_hub import try_to_load_from_cache
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

from conductor.config import PolicyConfig
from conductor.errors import ConductorError
from conductor.policy.generation import Generation
from conductor.policy.vllm_gen import generate_vllm

META_FILE = "conductor_policy.json"
OPTIMIZER_FILE = "optimizer.pt"


class PolicyLoadError(ConductorError, RuntimeError):
    """The model could not be loaded; the message names the id or path and says why."""


__all__ = ["Generation", "Policy", "PolicyLoadError", "check_reachable", "load_optimizer_state"]


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    if name == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return {
        "bfloat16": torch.bfloat16,
        "bf16": torch.bfloat16,
        "float32": torch.float32,
        "fp32": torch.float32,
        "float16": torch.float16,
    }[name]


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}


def check_reachable(name_or_path: str) -> None:
    """Fail early, and readably, when an id is neither a model folder nor cached and the hub cannot be reached."""
    folder = Path(name_or_path).expanduser()
    if folder.is_dir():
        if not any((folder / f).is_file() for f in ("config.json", "adapter_config.json")):
            raise PolicyLoadError(f"folder {name_or_path!r} holds no saved model (no config.json)")
        return
    if name_or_path.startswith((".", "/", "~")):
        raise PolicyLoadError(f"model folder {name_or_path!r} does not exist")
    cached = try_to_load_from_cache(name_or_path, "config.json")
    if isinstance(cached, str):
        return
    if _offline():
        raise PolicyLoadError(
            f"model {name_or_path!r} is not a local folder and is not in the Hugging Face cache, and the hub is "
            "unreachable (HF_HUB_OFFLINE=1 is set): download it on a machine with network access, or pass a local path"
        )


class Policy:
    """A causal LM plus tokenizer, in the roles the Conductor needs: prompt, sample, score, save."""

    def __init__(self, model, tokenizer, cfg: PolicyConfig, source: str, base_model: str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.cfg = cfg
        self.source = source  # what was loaded (a checkpoint folder or an id)
        self.base_model = base_model  # the weights training started from: the KL reference, the LoRA base
        self.device = next(model.parameters()).device
        self._reference = None
        eos = getattr(model.generation_config, "eos_token_id", None)
        eos_ids = [] if eos is None else [eos] if isinstance(eos, int) else list(eos)
        if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in eos_ids:
            eos_ids.insert(0, tokenizer.eos_token_id)
        self.eos_token_ids: list[int] = eos_ids
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.pad_token_id: int = tokenizer.pad_token_id

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(
        cls, name_or_path: str | Path, cfg: PolicyConfig | None = None, gradient_checkpointing: bool = False
    ) -> Policy:
        """Load an HF id or a local folder (a plain model, a `save` checkpoint, or a LoRA checkpoint).

        Device and dtype follow `cfg` ('auto': bf16 on a GPU, fp32 on the CPU). With `cfg.lora`, a plain model
        gets fresh LoRA adapters; a LoRA checkpoint is reloaded with its adapters trainable.
        """
        cfg = cfg or PolicyConfig()
        name = str(name_or_path)
        check_reachable(name)
        device = resolve_device(cfg.device)
        dtype = resolve_dtype(cfg.dtype, device)
        folder = Path(name).expanduser()
        meta = json.loads((folder / META_FILE).read_text()) if (folder / META_FILE).is_file() else {}
        is_adapter = (folder / "adapter_config.json").is_file()
        base = meta.get("base_model", name)
        try:
            tokenizer = AutoTokenizer.from_pretrained(name)
            weights = base if is_adapter else name
            if is_adapter:
                check_reachable(weights)
            model: Any = AutoModelForCausalLM.from_pretrained(weights, dtype=dtype)
        except PolicyLoadError:
            raise
        except (OSError, ValueError) as err:
            raise PolicyLoadError(f"could not load model {name!r}: {err}") from err
        model.to(device)
        if is_adapter:
            from peft import PeftModel  # peft costs seconds to import: only LoRA pays it (named lazy import)

            model = PeftModel.from_pretrained(model, name, is_trainable=True)
        elif cfg.lora:
            model = _add_lora(model, cfg)
        policy = cls(model, tokenizer, cfg, source=name, base_model=base)
        policy.set_gradient_checkpointing(gradient_checkpointing)
        return policy

    def set_gradient_checkpointing(self, on: bool) -> None:
        """Trade compute for memory in the update (7B on one GPU). Generation turns the cache back on itself."""
        current = _checkpointing(self.model)
        if on and not current:
            self.model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
            if self.is_lora:
                self.model.enable_input_require_grads()
        elif not on and current:
            self.model.gradient_checkpointing_disable()

    @property
    def is_lora(self) -> bool:
        return hasattr(self.model, "peft_config")

    def trainable_parameters(self) -> list[torch.nn.Parameter]:
        return [p for p in self.model.parameters() if p.requires_grad]

    # ------------------------------------------------------------------ prompts
    def render_prompt(self, messages: list[dict[str, str]], prefill: str = "") -> str:
        """The chat template with the assistant turn opened, then `prefill`: generation continues that turn."""
        text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return text + prefill

    def encode(self, text: str) -> list[int]:
        """Token ids of a rendered prompt: special tokens come from the template, so none are added."""
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # ------------------------------------------------------------------ sampling
    @torch.no_grad()
    def generate(
        self,
        prompt_texts: list[str],
        n: int = 1,
        temperature: float | None = None,
        max_new_tokens: int | None = None,
        seed: int = 0,
        batch_size: int | None = None,
    ) -> list[list[Generation]]:
        """`n` samples per prompt, batched with left padding; returns one list of `n` per prompt, in order.

        temperature 0 means greedy; its log-probs are then those of the untempered distribution. `batch_size`
        bounds the rows per `generate` call (default: all prompts x n at once). The same seed, prompts and
        batch size give the same samples.
        """
        if self.cfg.use_vllm:
            return generate_vllm(self, prompt_texts, n, temperature, max_new_tokens, seed)
        temp = self.cfg.temperature if temperature is None else temperature
        max_new = self.cfg.max_new_tokens if max_new_tokens is None else max_new_tokens
        rows = [ids for ids in (self.encode(t) for t in prompt_texts) for _ in range(n)]
        step = batch_size or len(rows) or 1
        gen_cfg = GenerationConfig(
            max_new_tokens=max_new,
            do_sample=temp > 0,
            temperature=temp if temp > 0 else None,
            top_k=0 if temp > 0 else None,
            top_p=1.0 if temp > 0 else None,
            repetition_penalty=1.0,
            eos_token_id=self.eos_token_ids,
            pad_token_id=self.pad_token_id,
            output_logits=True,
            return_dict_in_generate=True,
        )
        was_training = self.model.training
        self.model.eval()
        out: list[Generation] = []
        devices = [self.device.index or 0] if self.device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=devices):
                torch.manual_seed(seed)
                for start in range(0, len(rows), step):
                    out.extend(self._generate_rows(rows[start : start + step], gen_cfg, temp))
        finally:
            self.model.train(was_training)
        return [out[i * n : (i + 1) * n] for i in range(len(prompt_texts))]

    def _generate_rows(self, rows: list[list[int]], gen_cfg: Any, temp: float) -> list[Generation]:
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_token_id, dtype=torch.long)
        att = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, width - len(r) :] = torch.tensor(r, dtype=torch.long)
            att[i, width - len(r) :] = 1
        res = self.model.generate(
            input_ids=ids.to(self.device), attention_mask=att.to(self.device), generation_config=gen_cfg
        )
        new = res.sequences[:, width:].tolist()
        logits = torch.stack(res.logits, dim=1).float()  # (B, T, V), raw
        logits = logits / (temp if temp > 0 else 1.0)
        chosen = torch.tensor(new, device=logits.device).unsqueeze(-1)
        lps = (logits.gather(-1, chosen).squeeze(-1) - torch.logsumexp(logits, dim=-1)).tolist()
        gens = []
        for toks, lp in zip(new, lps, strict=True):
            end = next((j + 1 for j, t in enumerate(toks) if t in self.eos_token_ids), None)
            keep = toks[:end] if end is not None else toks
            gens.append(
                Generation(
                    text=self.tokenizer.decode(keep, skip_special_tokens=True),
                    token_ids=keep,
                    logprobs=lp[: len(keep)],
                    finish_reason="stop" if end is not None else "length",
                )
            )
        return gens

    # ------------------------------------------------------------------ reference (KL) model
    def reference_model(self):
        """The frozen model the KL term compares with: the base weights (LoRA: the adapters switched off)."""
        if self.is_lora:
            return None  # the caller uses `with policy.model.disable_adapter():`
        if self._reference is None:
            ref = Policy.load(self.base_model, self.cfg.model_copy(update={"lora": False}))
            ref.model.eval()
            for p in ref.model.parameters():
                p.requires_grad_(False)
            self._reference = ref.model
        return self._reference

    # ------------------------------------------------------------------ saving
    def save(self, out_dir: str | Path, optimizer: torch.optim.Optimizer | None = None) -> Path:
        """A checkpoint `Policy.load` reads back (and, with `optimizer`, the state `load_optimizer_state` restores)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out)
        self.tokenizer.save_pretrained(out)
        meta = {"base_model": self.base_model, "lora": self.is_lora, "source": self.source}
        (out / META_FILE).write_text(json.dumps(meta, indent=2))
        if optimizer is not None:
            torch.save(optimizer.state_dict(), out / OPTIMIZER_FILE)
        return out


def load_optimizer_state(optimizer: torch.optim.Optimizer, checkpoint: str | Path) -> bool:
    """Restore the optimizer saved with a checkpoint (resume). False when the checkpoint has none."""
    path = Path(checkpoint) / OPTIMIZER_FILE
    if not path.is_file():
        return False
    optimizer.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return True


def _checkpointing(model) -> bool:
    """Whether activation checkpointing is on (transformers 5 renamed the flag; the old name warns)."""
    if hasattr(model, "peft_config"):
        model = model.get_base_model()
    flag = getattr(model, "is_activation_checkpointing", None)
    if flag is None:
        flag = getattr(model, "is_gradient_checkpointing", False)
    return bool(flag)


def _add_lora(model, cfg: PolicyConfig):
    from peft import LoraConfig, get_peft_model  # see Policy.load: only LoRA pays for peft

    lora = LoraConfig(
        r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM"
    )
    return get_peft_model(model, lora)
