"""One question answered by a trained Conductor: its checkpoint, the prompt settings it was trained with, its
plan (with retries) executed on the pool, optionally revised in extra rounds (conductor.workflow.rounds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conductor.config import Paths, RunConfig, validate_config
from conductor.errors import NotFoundError
from conductor.iteration.manifest import latest_checkpoint, read_manifest, run_of_checkpoint
from conductor.policy.cache import load_policy
from conductor.pool.client import PoolClient
from conductor.pool.spec import PoolSpec
from conductor.serve.planner import PolicyPlanner
from conductor.workflow.conductor_prompt import Mode, PromptSettings
from conductor.workflow.rounds import RoundsRecord, run_rounds


@dataclass(frozen=True)
class Served:
    """A Conductor ready to answer: the planner and how it is prompted."""

    checkpoint: str
    config: RunConfig
    planner: PolicyPlanner
    settings: PromptSettings


def trained_config(paths: Paths, checkpoint: str | Path) -> RunConfig:
    """The run config a checkpoint was trained with (its run's manifest), so it is prompted as in training.
    A checkpoint from no known run (a hub id, a folder) is prompted as the paper prompts a real base model
    (`paper-7b`'s settings with that model): the paper's template, 5 steps, the whole question."""
    run_id = run_of_checkpoint(paths, checkpoint)
    if run_id is not None:
        return validate_config(read_manifest(paths, run_id)["config"])
    return validate_config({"preset": "paper-7b", "policy": {"base_model": str(checkpoint)}})


def load_served(paths: Paths, checkpoint: str | Path | None = None, mode: Mode | None = None, seed: int = 0) -> Served:
    """The newest trained checkpoint (or `checkpoint`) loaded as a planner. Raises NotFoundError when there is
    none, PolicyLoadError when it cannot be loaded."""
    chosen = checkpoint if checkpoint is not None else latest_checkpoint(paths)
    if chosen is None:
        raise NotFoundError("no checkpoint given and none trained yet: run `conductor demo`, or pass --checkpoint")
    cfg = trained_config(paths, chosen)
    if mode is not None:
        cfg = cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"prompt_mode": mode})})
    policy = load_policy(chosen, cfg.policy)
    planner = PolicyPlanner(policy, cfg.policy, seed=seed)
    return Served(str(chosen), cfg, planner, PromptSettings.from_config(cfg))


async def answer(served: Served, question: str, pool: PoolSpec, rounds: int = 0, seed: int = 0) -> RoundsRecord:
    """The Conductor plans for `question`, the pool runs the plan, and it may revise it `rounds` times."""
    client = PoolClient(pool)
    try:
        return await run_rounds(served.planner, question, pool, client, served.settings, extra_rounds=rounds, seed=seed)
    finally:
        await client.aclose()
