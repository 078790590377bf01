"""How does a Conductor checkpoint's first choice move under policy gradient, kind by kind?

    python -m benchmarks.lead_bandit CHECKPOINT --home DIR                 # 300 steps, sampled rewards
    python -m benchmarks.lead_bandit CHECKPOINT --home DIR --exact         # expected rewards, no coin flips
    python -m benchmarks.lead_bandit CHECKPOINT --home DIR --set tiny.lead=false   # an older warm start

A probe, not the training loop: only the first worker is learned. Each step draws 4 training tasks, each
with a random sub-pool of 2-4 workers as training draws them, reads the checkpoint's distribution over the
first worker where it is chosen (`benchmarks.routing.decision_point`), samples 8 choices per task and
rewards each as the plan "that worker twice, then it aggregates" would be rewarded on the SIMULATED pool
(0.5 + 0.5 x correct, with P(correct) from the simulator's model; `--exact` uses that probability itself).
A worker the prompt does not offer scores 0 when the choice is the list's first id (a parse failure), and
the mean over the offered workers when it is the lead word (the plan then opens with an offered worker).
Advantages are normalised per task, as in GRPO, and every weight is updated with AdamW.

Why it exists: the learning benchmark takes 15-20 minutes and mixes routing with everything else the
Conductor learns. This takes half a minute and isolates the question docs/design.md asks: does the update
move each kind's choice on its own, or all kinds together? Every 50 steps it prints the mean P(first worker)
per kind on the full pool and the expected accuracy of those choices. The learning rate is per token of
this one-token loss, so it is not comparable with `train.learning_rate` (the GRPO loss averages over all
of a completion's tokens).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

from benchmarks.routing import decision_point, writes_lead  # noqa: E402
from conductor.config import Paths, load_run_config  # noqa: E402
from conductor.iteration.campaign import load_all_tasks  # noqa: E402
from conductor.iteration.selection import evaluation_tasks  # noqa: E402
from conductor.policy.cache import load_policy  # noqa: E402
from conductor.pool.draw import draw_pool  # noqa: E402
from conductor.pool.spec import PoolSpec, load_pool  # noqa: E402
from conductor.sim.oracle import DOMAINS, REVIEW_SUBTASK, SOLVE_SUBTASK, expected_accuracy  # noqa: E402
from conductor.workflow.schema import Step, Workflow  # noqa: E402


def same_worker_accuracy(pool: PoolSpec, domain: str, worker: int) -> float:
    """Expected accuracy of the plan the learned structure uses: the worker twice, then it aggregates."""
    solve = Step(worker=worker, subtask=SOLVE_SUBTASK, access="none")
    review = Step(worker=worker, subtask=REVIEW_SUBTASK, access="all")
    return expected_accuracy(pool, domain, Workflow(steps=(solve, solve, review)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="a checkpoint folder (a tiny-sft-* warm start, or a run's iter-N)")
    ap.add_argument("--home", help="state folder holding the prepared tasks (default: CONDUCTOR_HOME)")
    ap.add_argument("--steps", type=int, default=300, help="policy-gradient steps (default 300)")
    ap.add_argument("--lr", type=float, default=6e-5, help="AdamW learning rate (default 6e-5)")
    ap.add_argument("--exact", action="store_true", help="reward the expected accuracy instead of a coin flip")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="run-config field the checkpoint was trained with (prompt mode, tiny.lead, ...)",
    )
    args = ap.parse_args()
    if args.home:
        os.environ["CONDUCTOR_HOME"] = args.home
    torch.manual_seed(args.seed)
    cfg = load_run_config(None, args.set)
    paths = Paths(home=Path(args.home)) if args.home else Paths()
    pool = load_pool(cfg.pool_file)
    if not pool.simulated:
        raise SystemExit("the probe rewards choices with the simulated pool's model: use a simulated pool")
    tasks = load_all_tasks(cfg, paths)
    train = [t for t in tasks if t.split == "train"]
    held_out = evaluation_tasks(tasks, 30, cfg.seed)
    lead = writes_lead(cfg)
    acc = {(d, w): same_worker_accuracy(pool, d, w) for d in DOMAINS for w in pool.ids}
    policy = load_policy(args.checkpoint, cfg.policy)
    model = policy.model
    pad = policy.pad_token_id

    def log_probs(rows: list[list[int]]) -> torch.Tensor:
        width = max(len(r) for r in rows)
        ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=policy.device)
        mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=policy.device)
        positions = (mask.cumsum(1) - 1).clamp(min=0)
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions).logits[:, -1].float()
        return torch.log_softmax(logits, -1)

    def report(step: int) -> None:
        model.eval()
        points = [decision_point(policy, cfg, t, pool) for t in held_out]
        with torch.no_grad():
            lp = log_probs([ids for ids, _ in points])
        per_kind: dict[str, list[torch.Tensor]] = {}
        expected = 0.0
        for t, (_, choices), row in zip(held_out, points, lp, strict=True):
            p = row[choices].exp()
            p = p / p.sum()
            per_kind.setdefault(t.domain, []).append(p)
            expected += sum(float(p[i]) * acc[t.domain, w] for i, w in enumerate(pool.ids))
        cells = "  ".join(
            f"{d} " + " ".join(f"{x:.2f}" for x in torch.stack(v).mean(0).tolist()) for d, v in sorted(per_kind.items())
        )
        print(
            f"step {step:4d}  P(first worker {list(pool.ids)} | kind): {cells}  "
            f"expected={expected / len(held_out):.3f}",
            flush=True,
        )
        model.train()

    rng = random.Random(args.seed)
    opt = torch.optim.AdamW(policy.trainable_parameters(), lr=args.lr, weight_decay=0.0)
    model.train()
    t0 = time.perf_counter()
    for step in range(args.steps):
        if step % 50 == 0:
            report(step)
        batch = [(rng.choice(train), draw_pool(pool, rng, 2, 4)) for _ in range(4)]
        points = [decision_point(policy, cfg, t, pool, pool.subset(offered)) for t, offered in batch]
        lp = log_probs([ids for ids, _ in points])
        loss = torch.zeros((), device=policy.device)
        for (t, offered), (_, choices), row in zip(batch, points, lp, strict=True):
            picks = torch.multinomial(row.detach().exp(), 8, replacement=True).tolist()
            rewards = []
            for tok in picks:
                w = pool.ids[choices.index(tok)] if tok in choices else None
                if w is None:
                    rewards.append(0.0)  # not a worker id at all
                elif w in offered:
                    p = acc[t.domain, w]
                    rewards.append(0.5 + 0.5 * (p if args.exact else float(rng.random() < p)))
                elif lead:  # the plan opens with an offered worker instead
                    rewards.append(0.5 + 0.5 * sum(acc[t.domain, v] for v in offered) / len(offered))
                else:  # an unlisted id in the list: a parse failure
                    rewards.append(0.0)
            r = torch.tensor(rewards)
            adv = (r - r.mean()) / (r.std() + 1e-4)
            loss = loss - (adv.to(row.device) * row[picks]).sum() / (8 * len(batch))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.trainable_parameters(), 1.0)
        opt.step()
    report(args.steps)
    print(f"{args.steps} steps in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
