"""Which worker does a Conductor checkpoint put first, per kind of question and per pool?

    python -m benchmarks.routing CHECKPOINT                         # the full pool, 60 held-out tasks
    python -m benchmarks.routing CHECKPOINT --pool 0,1 --pool 0,1,2  # other pools too
    python -m benchmarks.routing CHECKPOINT --home DIR --set policy.prompt_mode=descriptions

Read from the checkpoint's next-token distribution at the first worker id (temperature 1), averaged over
held-out tasks of each domain, so it needs no sampling and no workers. The prompt is built as training builds
it (the run config's prompt mode, template, step limit and question crop); when the config's warm start
writes a thought line (`tiny.thought`), the line for the task's kind is written first, as the model
writes it; with `tiny.lead` the first worker is read where the line names it (the lead word); and how
often the checkpoint, writing the line itself, names the right kind. Beside
each row: the simulated pool's best first worker for that domain (the oracle's). Under each table: how much
of the model's final state at that position differs between kinds (docs/design.md: when it is a few percent,
GRPO moves every kind's choice together).

Why it exists: the learning benchmark's held-out accuracy says *whether* the Conductor routes by the
question, this says *how*: a Conductor that reads the question puts a different worker first per domain;
one that does not puts the same worker first everywhere, or follows the pool's listing (say, the first
worker listed), which shows up as rows that change with the pool but not with the domain. docs/design.md
reads the tiny Conductor's warm start and trained checkpoints this way. `benchmarks.lead_bandit` shows how
such a checkpoint's choice moves under policy gradient.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

from conductor.config import Paths, RunConfig, load_run_config  # noqa: E402
from conductor.iteration.campaign import load_all_tasks  # noqa: E402
from conductor.iteration.selection import evaluation_tasks  # noqa: E402
from conductor.policy.cache import load_policy  # noqa: E402
from conductor.policy.model import Policy  # noqa: E402
from conductor.pool.spec import PoolSpec, load_pool  # noqa: E402
from conductor.rollout.conductor_plans import conductor_prompt  # noqa: E402
from conductor.sim.oracle import oracle  # noqa: E402
from conductor.store.table import format_table  # noqa: E402
from conductor.tasks.schema import Task  # noqa: E402
from conductor.tiny.thought import lead_word, thought_line  # noqa: E402
from conductor.workflow.conductor_prompt import PromptSettings  # noqa: E402


def writes_thought(cfg: RunConfig) -> bool:
    return cfg.tiny is not None and cfg.tiny.thought


def writes_lead(cfg: RunConfig) -> bool:
    return cfg.tiny is not None and cfg.tiny.writes_lead


def decision_point(
    policy: Policy, cfg: RunConfig, task: Task, pool: PoolSpec, offered: PoolSpec | None = None
) -> tuple[list[int], list[int | None]]:
    """The prompt's token ids up to where the first worker is chosen, and the token each worker would be.

    With the lead line (`tiny.lead`) that is the lead word of the task's kind; otherwise the first id of
    the `model_id` list, after the kind line when the warm start writes one. `offered` (default: the whole
    pool) is the pool the prompt shows; the choices are always every worker of `pool`.
    """
    messages, prefill = PromptSettings.from_config(cfg).first_round(task.question, offered or pool)
    if writes_lead(cfg):
        head, words = f"{thought_line(task.domain)} Lead:", [f" {lead_word(task.domain, w)}" for w in pool.ids]
    else:
        head = f"{thought_line(task.domain)}\nmodel_id = [" if writes_thought(cfg) else "model_id = ["
        words = [str(w) for w in pool.ids]
    tokens = [policy.tokenizer.encode(w, add_special_tokens=False) for w in words]
    if not writes_lead(cfg) and any(len(tok) != 1 for tok in tokens):
        raise SystemExit(f"each choice must be one token for this probe; {words} are {tokens}")
    # A lead word that is not one token was never in the warm start (a worker unseen in training): the model
    # cannot write it in one step, so it is no choice here (None, shown as "-").
    return policy.encode(policy.render_prompt(messages, prefill) + head), [
        tok[0] if len(tok) == 1 else None for tok in tokens
    ]


def first_worker_probe(
    policy: Policy, cfg: RunConfig, tasks: list[Task], pool: PoolSpec
) -> tuple[dict[str, list[float]], float, float]:
    """Mean P(first worker = id | domain) over `tasks` for each id of `pool` (renormalised over the pool's ids),
    and, from the same forward passes, the spread of the kinds' mean final states at the choice and the norm of
    their common mean.

    Why the spread: an update moves a choice's logit along the state it was chosen in, so when the kinds'
    states differ by a few percent of their norm, every update moves all kinds' choices together
    (docs/design.md).
    """
    probs: dict[str, list[torch.Tensor]] = defaultdict(list)
    states: dict[str, list[torch.Tensor]] = defaultdict(list)
    for t in tasks:
        ids, choices = decision_point(policy, cfg, t, pool)
        with torch.no_grad():
            out = policy.model(torch.tensor([ids], device=policy.device), output_hidden_states=True)
        dist = torch.softmax(out.logits[0, -1].float(), -1).cpu()
        p = torch.tensor([float(dist[c]) if c is not None else float("nan") for c in choices])
        probs[t.domain].append(p / p.nansum())
        states[t.domain].append(out.hidden_states[-1][0, -1].float().cpu())
    every = torch.stack([h for hs in states.values() for h in hs])
    mean = every.mean(0)
    between = sum(len(hs) * ((torch.stack(hs).mean(0) - mean) ** 2).sum() for hs in states.values())
    by_domain = {d: torch.stack(ps).mean(0).tolist() for d, ps in sorted(probs.items())}
    return by_domain, float((torch.as_tensor(between) / len(every)).sqrt()), float(mean.norm())


def kind_line_accuracy(policy: Policy, cfg: RunConfig, tasks: list[Task], pool: PoolSpec) -> float | None:
    """Share of `tasks` whose thought line, as the checkpoint writes it itself (evaluation temperature, `pool`
    shown), names the task's own kind. None when the warm start writes no such line.

    Why: the probe above writes the right line for the model; this says whether the model would. A tiny model
    reads a prompt longer than any it was trained on badly, and the kind it then writes sends the plan to the
    wrong specialist (docs/performance.md, the unseen-worker study)."""
    if not writes_thought(cfg):
        return None
    prompts = [conductor_prompt(policy, t, pool, pool.ids, cfg) for t in tasks]
    gens = policy.generate(prompts, n=1, temperature=cfg.policy.eval_temperature, max_new_tokens=24, seed=cfg.seed)
    return sum(g[0].text.startswith(thought_line(t.domain)) for g, t in zip(gens, tasks, strict=True)) / len(tasks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="a checkpoint folder (a run's iter-N, or a tiny-sft-* warm start)")
    ap.add_argument(
        "--pool",
        action="append",
        default=[],
        metavar="IDS",
        help="comma-separated worker ids of a pool to probe (repeatable; default: the whole pool)",
    )
    ap.add_argument("--tasks", type=int, default=60, help="held-out tasks, balanced over domains (default 60)")
    ap.add_argument("--home", help="state folder holding the prepared tasks (default: CONDUCTOR_HOME)")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="run-config field the checkpoint was trained with (prompt mode, step limit, ...)",
    )
    args = ap.parse_args()
    if args.home:
        os.environ["CONDUCTOR_HOME"] = args.home
    cfg = load_run_config(None, args.set)
    paths = Paths(home=Path(args.home)) if args.home else Paths()
    full = load_pool(cfg.pool_file)
    pools = [full.subset([int(x) for x in p.split(",")]) for p in args.pool] or [full]
    tasks = evaluation_tasks(load_all_tasks(cfg, paths), args.tasks, cfg.seed)
    policy = load_policy(args.checkpoint, cfg.policy)
    for pool in pools:
        dist, spread, common = first_worker_probe(policy, cfg, tasks, pool)
        rows = []
        for domain, probs in dist.items():
            best = oracle(pool, domain, cfg.rollout.max_steps).workflow.steps[0].worker if pool.simulated else "-"
            rows.append((domain, *(f"{p:.2f}" if p == p else "-" for p in probs), best))
        print(f"\npool {list(pool.ids)}: P(first worker | domain), {len(tasks)} held-out tasks")
        print(format_table(["domain", *(f"worker {w}" for w in pool.ids), "oracle's first"], rows))
        print(
            f"final state at the choice: the kinds' means spread {spread:.2f} around a common part of norm "
            f"{common:.2f} ({spread / common:.1%})"
        )
        kind = kind_line_accuracy(policy, cfg, tasks, pool)
        if kind is not None:
            print(
                f"kind line as the checkpoint writes it (temperature {cfg.policy.eval_temperature}): right for "
                f"{kind:.0%} of the tasks"
            )


if __name__ == "__main__":
    main()
