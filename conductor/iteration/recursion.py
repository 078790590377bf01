"""Recursion in training (paper section 7, "Recursion fine-tune"): a first-round rollout continued once.

    rows = add_recursion_round(policy, jobs, rows, pool, cfg, run_id=..., iteration=..., seed=cfg.seed)

When `rollout.recursion_rounds >= 1`, every round-0 rollout that parsed and ran without an infrastructure
fault gets ONE continuation (round 1). A continuation follows the rules of a later round that inference
follows (conductor.workflow.rounds, one home): the Conductor is shown `later_round_prompt` (its round-0 prompt,
its own plan as the earlier assistant turn, the round-0 answer, and the instruction to improve or verify it,
or to accept it with three empty lists); the text is read with `parse_round`; its "all" steps also see the
round-0 steps (`EarlierRound`); three empty lists are `accepted`: the answer stays the round-0 answer and no
worker is called, so an accept is rewarded as that answer deserves. What training adds is the batch: the
continuations are sampled in one generation at the training temperature, then executed, verified and
rewarded exactly as round 0 is (`score_jobs`).

Both rounds are stored in the SAME group (paper: advantages normalised over both rounds together). The
round-0 reward becomes `(1 - d) * r_first + d * r_second` (train.reward.recursion_reward) and the
undiscounted one is kept in `first_round_reward`. A continuation that hit an infrastructure fault says
nothing about the plan: under `infra_fault_policy: drop` it leaves round 0's reward as it was (the
continuation row itself is dropped from the update); under `zero` it counts as r_second = 0.

Our departure from the authors' split (32 first-round rollouts + 32 continuations per question): every valid
round-0 rollout continues once, so a group holds G first-round and up to G second-round rollouts
(docs/design.md, "Recursion in training").
"""

from __future__ import annotations

from typing import Any

from conductor.config import RunConfig, TrainConfig
from conductor.pool.spec import PoolSpec
from conductor.rollout.conductor_plans import earlier_plan, later_round_job, later_round_text
from conductor.rollout.job import RolloutJob
from conductor.rollout.scoring import score_jobs
from conductor.seeds import recursion_generation_seed
from conductor.store.schema import RolloutRow
from conductor.train.reward import recursion_reward, should_drop
from conductor.workflow.executor import seen_steps
from conductor.workflow.result import Execution
from conductor.workflow.rounds import EarlierRound
from conductor.workflow.worker_prompt import SeenStep


def continuable(row: RolloutRow) -> bool:
    """A round-0 rollout that parsed and ran without an infrastructure fault: it has an answer to revisit."""
    return row.round == 0 and row.workflow is not None and row.infra_fault is None


def previous_steps(row: RolloutRow) -> list[SeenStep]:
    """The stored round-0 steps as the next round's "all" steps see them (executor.seen_steps' rule)."""
    return seen_steps(Execution(steps=list(row.steps), answer=row.answer))


def earlier_round(job: RolloutJob, row: RolloutRow, cfg: RunConfig) -> EarlierRound:
    """Round 0 of a rollout as the next round is built from it: the plan as the Conductor wrote it (the
    first prefill and its completion), the answer, the stored steps."""
    return EarlierRound(plan=earlier_plan(job, cfg), answer=row.answer, steps=tuple(previous_steps(row)))


def recursion_prompt(policy: Any, job: RolloutJob, row: RolloutRow, pool: PoolSpec, cfg: RunConfig) -> str:
    """The exact text the Conductor continues in round 1 (chat template applied, recursion prefill opened)."""
    return later_round_text(policy, job, earlier_round(job, row, cfg), pool, cfg)


def continuation_job(
    job: RolloutJob,
    row: RolloutRow,
    cfg: RunConfig,
    *,
    prompt: str,
    completion: str,
    completion_ids: list[int] | None = None,
    logprobs: list[float] | None = None,
) -> RolloutJob:
    """Round 1 of `job` from the text the Conductor wrote (rollout.later_round_job, from the stored row)."""
    return later_round_job(
        job,
        earlier_round(job, row, cfg),
        cfg,
        prompt=prompt,
        completion=completion,
        completion_ids=completion_ids,
        logprobs=logprobs,
    )


def continuation_jobs(
    policy: Any,
    jobs: list[RolloutJob],
    rows: list[RolloutRow],
    pool: PoolSpec,
    cfg: RunConfig,
    *,
    iteration: int,
    seed: int,
) -> list[RolloutJob]:
    """One sampled continuation for each continuable round-0 rollout, generated in one batch.

    `jobs` and `rows` are what `conductor_jobs` and `score_jobs` returned, in the same order."""
    if len(jobs) != len(rows):
        raise ValueError(f"{len(jobs)} jobs but {len(rows)} rows")
    pairs = []
    for job, row in zip(jobs, rows, strict=True):
        if (job.group_id, job.sample) != (row.group_id, row.sample):
            raise ValueError(f"job {job.group_id}/{job.sample} does not match row {row.group_id}/{row.sample}")
        if continuable(row):
            pairs.append((job, row))
    if not pairs:
        return []
    prompts = [recursion_prompt(policy, job, row, pool, cfg) for job, row in pairs]
    generations = policy.generate(
        prompts,
        n=1,
        temperature=cfg.policy.temperature,
        max_new_tokens=cfg.policy.max_new_tokens,
        seed=recursion_generation_seed(seed, iteration),
    )
    return [
        continuation_job(
            job,
            row,
            cfg,
            prompt=prompt,
            completion=gens[0].text,
            completion_ids=list(gens[0].token_ids),
            logprobs=list(gens[0].logprobs),
        )
        for (job, row), prompt, gens in zip(pairs, prompts, generations, strict=True)
    ]


def apply_recursion_rewards(first: list[RolloutRow], second: list[RolloutRow], cfg: TrainConfig) -> list[RolloutRow]:
    """Round-0 rows with their reward discounted by their continuation's; rows not continued are unchanged."""
    by_key: dict[tuple[str, int], RolloutRow] = {}
    for r in second:
        key = (r.group_id, r.sample)
        if key in by_key:
            raise ValueError(f"two continuations of {key}")
        by_key[key] = r
    out = []
    for r in first:
        cont = by_key.get((r.group_id, r.sample)) if r.round == 0 else None
        if cont is None or should_drop(cont.infra_fault, cfg):
            out.append(r)
            continue
        reward = recursion_reward(r.reward, cont.reward, cfg.recursion_discount)
        out.append(r.model_copy(update={"reward": reward, "first_round_reward": r.reward}))
    return out


def add_recursion_round(
    policy: Any,
    jobs: list[RolloutJob],
    rows: list[RolloutRow],
    pool: PoolSpec,
    cfg: RunConfig,
    *,
    run_id: str,
    iteration: int,
    seed: int,
    phase: str = "train",
    client_kwargs: dict | None = None,
) -> list[RolloutRow]:
    """The round-0 rows (rewards discounted where continued) followed by the round-1 rows, same groups."""
    cont = continuation_jobs(policy, jobs, rows, pool, cfg, iteration=iteration, seed=seed)
    if not cont:
        return list(rows)
    second = score_jobs(
        cont, pool, cfg, run_id=run_id, iteration=iteration, phase=phase, seed=seed, client_kwargs=client_kwargs
    )
    return apply_recursion_rewards(rows, second, cfg.train) + second


def recursion_summary(rows: list[RolloutRow]) -> dict[str, float | int]:
    """Numbers for the iteration log and MLflow: how many continued, how many accepted, rewards per round."""
    first = [r for r in rows if r.round == 0]
    second = [r for r in rows if r.round >= 1]
    continued = [r for r in first if r.first_round_reward is not None]
    accepted = [r for r in second if r.workflow is not None and r.n_steps == 0]
    return {
        "recursion_continued": len(second),
        "recursion_accepted": len(accepted),
        "recursion_second_round_mean_reward": sum(r.reward for r in second) / max(1, len(second)),
        "recursion_first_round_mean_reward": sum(r.first_round_reward or 0.0 for r in continued)
        / max(1, len(continued)),
    }
