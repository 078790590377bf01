"""Our GRPO update against plain TRL doing the same update on the same batch: time per optimizer step.

    python -m benchmarks.update_vs_trl                      # the tiny model on the CPU: checks that it runs
    python -m benchmarks.update_vs_trl --size qwen-0.5b --device cuda --bf16 --gradient-checkpointing \\
        --rows 64 --micro 8 --prompt-tokens 512 --completion-tokens 256      # the issue's GPU figure

One optimizer step over R rollouts (prompts of P tokens, completions of C tokens), accumulated over
micro-batches of M, clip 0.2, no KL (the paper), TRL's `bnpo` normalisation, AdamW, gradient clipping at 1.0:

- ours:  `conductor.train.grpo.grpo_update` on `UpdateRow`s (what an iteration does with its stored rollouts);
- TRL:   a `GRPOTrainer` built on a copy of the same weights, then for each micro-batch what its
         `training_step` does once the completions exist: `compute_loss` (its `_compute_loss`: log-probs,
         clipped surrogate, bnpo) under `compute_loss_context_manager`, `accelerator.backward`; then gradient
         clipping and `optimizer.step()`. Sampling is not timed on either side.

Both sides get the same token ids, advantages and old log-probs (one no-grad forward pass before timing, so the
first ratio is 1). Every rollout shares one prompt, so left padding (where the two differ in position ids)
does not enter. The first step's losses must agree (printed); the median over `--repeats` steps is compared after
`--warmup` untimed ones. The model: a randomly initialised Qwen2 of a `conductor.tiny.model` size (no
download: `qwen-0.5b` is Qwen2.5-0.5B's shape), or `--model` for any HF id or local folder.

The last line is machine-readable:
    update_vs_trl ours_s=<median s> trl_s=<median s> ratio=<ours / trl> device=<d> model=<m>
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402

from conductor.config import PolicyConfig, TrainConfig  # noqa: E402
from conductor.policy.logprobs import completion_logprobs, pack  # noqa: E402
from conductor.policy.model import Policy  # noqa: E402
from conductor.tiny.model import build_tiny_conductor  # noqa: E402
from conductor.train.grpo import UpdateRow, grpo_update, make_optimizer  # noqa: E402


@dataclass(frozen=True)
class Batch:
    """One update's rollouts, as ids (for TRL) and as rows (for us)."""

    prompt_ids: list[list[int]]
    completion_ids: list[list[int]]
    old_logprobs: list[list[float]]
    advantages: list[float]
    rows: list[UpdateRow]


def build_model(size: str, out: Path, seed: int = 0) -> Path:
    """A randomly initialised Qwen2 of a conductor.tiny.model size, with a tokenizer trained on generic text."""
    rng = random.Random(seed)
    words = [
        "worker",
        "model",
        "step",
        "answer",
        "question",
        "list",
        "access",
        "review",
        "solve",
        "check",
        "the",
        "a",
        "of",
        "to",
        "in",
        "math",
        "code",
        "science",
        "final",
        "all",
    ]
    corpus = [" ".join(rng.choice(words) for _ in range(40)) for _ in range(400)]
    return build_tiny_conductor(out, corpus, seed=seed, size=size)


def make_batch(
    policy: Policy, rows: int, group: int, prompt_tokens: int, completion_tokens: int, seed: int = 0
) -> Batch:
    """`rows` rollouts in groups of `group` sharing a prompt; random completions of C/2 to C tokens (lengths vary as
    sampled ones do); group-normalised random rewards as advantages; old log-probs from the current weights."""
    rng = random.Random(seed)
    special = set(policy.tokenizer.all_special_ids)
    vocab = [i for i in range(len(policy.tokenizer)) if i not in special]
    # One prompt text for every group, whose encoding is at most P tokens: then no prompt is left-padded (the
    # two sides count positions differently under left padding, and that is not what is compared here).
    text = policy.tokenizer.decode(
        policy.encode(policy.tokenizer.decode([rng.choice(vocab) for _ in range(prompt_tokens * 2)]))[:prompt_tokens]
    )
    while len(policy.encode(text)) > prompt_tokens:
        text = text[:-1]
    ids = policy.encode(text)
    prompts_text, prompt_ids, completions, advantages = [], [], [], []
    for _ in range(0, rows, group):
        # Continuous rewards: no advantage is exactly 0 (we skip such rows, TRL keeps them; not compared here).
        rewards = [rng.random() for _ in range(group)]
        mean = sum(rewards) / group
        std = statistics.stdev(rewards) if group > 1 else 1.0
        for r in rewards:
            prompts_text.append(text)
            prompt_ids.append(ids)
            completions.append(
                [rng.choice(vocab) for _ in range(rng.randint(completion_tokens // 2, completion_tokens))]
            )
            advantages.append((r - mean) / (std + 1e-4))
    old: list[list[float]] = []
    policy.model.eval()
    with torch.no_grad():
        for s in range(0, rows, 8):
            b = pack(prompt_ids[s : s + 8], completions[s : s + 8], policy.pad_token_id, policy.device)
            lp, _ = completion_logprobs(policy.model, b, 1.0)
            old += [lp[i, : len(c)].float().tolist() for i, c in enumerate(completions[s : s + 8])]
    update_rows = [UpdateRow(p, c, o, a) for p, c, o, a in zip(prompts_text, completions, old, advantages, strict=True)]
    return Batch(prompt_ids, completions, old, advantages, update_rows)


def train_config(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        learning_rate=args.lr,
        clip_epsilon=0.2,
        kl_beta=0.0,
        loss_type="bnpo",
        lr_schedule="constant",
        warmup_ratio=0.0,
        max_grad_norm=1.0,
        weight_decay=0.0,
        epochs=1,
        mini_batch_size=0,
        micro_batch_size=args.micro,
        bf16=args.bf16,
        gradient_checkpointing=args.gradient_checkpointing,
    )


class TRLUpdate:
    """A `GRPOTrainer` over a copy of the policy's model, driven one optimizer step at a time."""

    def __init__(self, policy: Policy, batch: Batch, args: argparse.Namespace, out_dir: str) -> None:
        model = copy.deepcopy(policy.model)
        if args.gradient_checkpointing:  # as Trainer switches it on, with TRL's recommended non-reentrant kind
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        n_micro = -(-len(batch.rows) // args.micro)
        config = GRPOConfig(
            output_dir=out_dir,
            per_device_train_batch_size=args.micro,
            gradient_accumulation_steps=n_micro,
            num_generations=args.group,
            learning_rate=args.lr,
            lr_scheduler_type="constant",
            warmup_steps=0,
            weight_decay=0.0,
            adam_beta1=0.9,
            adam_beta2=0.999,
            max_grad_norm=1.0,
            beta=0.0,
            epsilon=0.2,
            loss_type="bnpo",
            temperature=1.0,
            max_completion_length=args.completion_tokens,
            bf16=args.bf16,
            gradient_checkpointing=args.gradient_checkpointing,
            report_to=[],
            use_cpu=policy.device.type == "cpu",
            logging_steps=1,
            save_strategy="no",
            seed=0,
        )

        def no_reward(completions, **kwargs):  # never called: nothing is sampled here
            return [0.0] * len(completions)

        self.trainer = GRPOTrainer(
            model=model,
            reward_funcs=no_reward,
            args=config,
            train_dataset=Dataset.from_list([{"prompt": "x"}] * max(len(batch.rows), args.group)),
            processing_class=policy.tokenizer,
        )
        self.trainer.create_optimizer()
        self.trainer.current_gradient_accumulation_steps = n_micro
        model_in_trainer, optimizer = self.trainer.model, self.trainer.optimizer
        assert model_in_trainer is not None and optimizer is not None  # set by GRPOTrainer's __init__
        self.model: torch.nn.Module = model_in_trainer
        self.optimizer: torch.optim.Optimizer = optimizer
        self.micro = self._micro_batches(batch, policy, args.micro)

    @staticmethod
    def _micro_batches(batch: Batch, policy: Policy, size: int) -> list[dict[str, torch.Tensor]]:
        """TRL's inputs, laid out by our own `pack` (prompts left-padded, completions right-padded)."""
        out = []
        for s in range(0, len(batch.rows), size):
            b = pack(
                batch.prompt_ids[s : s + size], batch.completion_ids[s : s + size], policy.pad_token_id, policy.device
            )
            width = b.completion_ids.size(1)
            old = torch.tensor(
                [lp + [0.0] * (width - len(lp)) for lp in batch.old_logprobs[s : s + size]], device=policy.device
            )
            out.append(
                {
                    "prompt_ids": b.input_ids[:, :-width],
                    "prompt_mask": b.attention_mask[:, :-width],
                    "completion_ids": b.completion_ids,
                    "completion_mask": b.attention_mask[:, -width:],
                    "advantages": torch.tensor(batch.advantages[s : s + size], device=policy.device),
                    "old_per_token_logps": old,
                }
            )
        return out

    def step(self) -> float:
        """One optimizer step over every micro-batch; returns the summed loss (as ours reports it)."""
        trainer, opt = self.trainer, self.optimizer
        self.model.train()
        total = 0.0
        for inputs in self.micro:
            with trainer.compute_loss_context_manager():
                loss = trainer.compute_loss(self.model, inputs)
            trainer.accelerator.backward(loss)
            total += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return total

    def gradients(self) -> tuple[float, dict[str, torch.Tensor]]:
        """The summed loss and the gradients of one step, without applying it (for the parity test)."""
        self.model.train()  # TRL divides by the accumulation steps only in training mode
        total = 0.0
        for inputs in self.micro:
            with self.trainer.compute_loss_context_manager():
                loss = self.trainer.compute_loss(self.model, inputs)
            self.trainer.accelerator.backward(loss)
            total += float(loss.detach())
        grads = {n: p.grad.detach().clone() for n, p in self.model.named_parameters() if p.grad is not None}
        self.optimizer.zero_grad(set_to_none=True)
        return total, grads


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="tiny", help="a conductor.tiny.model size: micro, tiny, small, qwen-0.5b")
    ap.add_argument("--model", help="an HF id or local folder instead of a built model")
    ap.add_argument("--device", default="cpu", help="cpu, cuda, auto")
    ap.add_argument("--bf16", action="store_true", help="bf16 weights and autocast on both sides")
    ap.add_argument("--gradient-checkpointing", action="store_true")
    ap.add_argument("--rows", type=int, default=32, help="rollouts in the update (R)")
    ap.add_argument("--group", type=int, default=8, help="rollouts per prompt")
    ap.add_argument("--micro", type=int, default=8, help="rows per micro-batch (M)")
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--completion-tokens", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-6)
    ap.add_argument("--warmup", type=int, default=1, help="untimed steps on each side")
    ap.add_argument("--repeats", type=int, default=5, help="timed steps on each side")
    args = ap.parse_args()
    if args.rows % args.group:
        raise SystemExit("--rows must be a multiple of --group")

    tmp = tempfile.mkdtemp(prefix="update-vs-trl-")  # the built model (2 GB for qwen-0.5b) and TRL's output dir
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: str) -> None:
    name = args.model or str(build_model(args.size, Path(tmp) / "model"))
    label = args.model or args.size
    dtype = "bfloat16" if args.bf16 else "float32"
    policy = Policy.load(name, PolicyConfig(device=args.device, dtype=dtype, lora=False, temperature=1.0))
    params = sum(p.numel() for p in policy.model.parameters())
    print(
        f"model {label}: {params / 1e6:.1f} M parameters on {policy.device}, {dtype}; "
        f"{args.rows} rows x (P={args.prompt_tokens}, C<={args.completion_tokens}), micro-batches of {args.micro}",
        flush=True,
    )
    batch = make_batch(policy, args.rows, args.group, args.prompt_tokens, args.completion_tokens)
    trl_side = TRLUpdate(policy, batch, args, tmp)  # copies the weights before ours move
    cfg = train_config(args)
    optimizer = make_optimizer(policy, cfg)

    ours_t: list[float] = []
    trl_t: list[float] = []
    first: dict[str, float] = {}
    for i in range(args.warmup + args.repeats):
        for side in ("ours", "trl"):  # interleaved, so drift in the machine's speed hits both alike
            _sync(policy.device)
            t0 = time.perf_counter()
            if side == "ours":
                optimizer, hist = grpo_update(policy, batch.rows, cfg, optimizer=optimizer)
                loss = hist[0]["loss"]
            else:
                loss = trl_side.step()
            _sync(policy.device)
            dt = time.perf_counter() - t0
            first.setdefault(side, loss)
            if i >= args.warmup:
                (ours_t if side == "ours" else trl_t).append(dt)
        if i >= args.warmup:
            print(f"  step {i}: ours {ours_t[-1]:.3f}s, TRL {trl_t[-1]:.3f}s", flush=True)
    print(f"first step's loss: ours {first['ours']:.6f}, TRL {first['trl']:.6f}")
    if policy.device.type == "cuda":
        print(f"peak GPU memory: {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB (both models)")
    ours, trl = statistics.median(ours_t), statistics.median(trl_t)
    print(
        f"update_vs_trl ours_s={ours:.4f} trl_s={trl:.4f} ratio={ours / trl:.3f} device={policy.device.type} "
        f"model={label}"
    )


if __name__ == "__main__":
    main()
