"""The update in two real processes (gloo on the CPU) takes the same step as the update in one."""

from __future__ import annotations

import json

import pytest
import torch
from update_kit import PROMPTS

from conductor.config import PolicyConfig, TrainConfig
from conductor.iteration.update import update_from_table
from conductor.iteration.update_process import launch
from conductor.policy.model import OPTIMIZER_FILE, Policy
from conductor.store.rollouts import read_rollouts, write_rollouts
from conductor.store.schema import RolloutRow
from conductor.train.shard import Shard


def _stored_rollouts(policy: Policy, root) -> list:
    """Eight sampled completions per prompt, rewards varied within each group, written to a real store."""
    gens = policy.generate(PROMPTS, n=8, temperature=1.0, max_new_tokens=10, seed=5)
    rows = []
    for p, (prompt, group) in enumerate(zip(PROMPTS, gens, strict=True)):
        for k, g in enumerate(group):
            rows.append(
                RolloutRow(
                    run_id="dp",
                    iteration=1,
                    phase="train",
                    rollout_id=f"r{p}-{k}",
                    task_id=f"t{p}",
                    source="t",
                    domain="math",
                    group_id=f"1:t{p}",
                    sample=k,
                    reward=[0.0, 0.5, 1.0][(k + p) % 3],
                    prompt=prompt,
                    completion=g.text,
                    completion_ids=g.token_ids,
                    logprobs=g.logprobs,
                )
            )
    return [write_rollouts(rows, root, "dp", 1, "train")]


@pytest.mark.parametrize("micro_batch_size", [3, 16])
def test_two_processes_take_the_single_process_step(micro_dir, tmp_path, micro_batch_size) -> None:
    cfg = PolicyConfig(device="cpu", temperature=1.0)
    # 16 rows in micro-batches of 3: 6 of them, so the two processes run 3 each; of 16: one, the other idles.
    train = TrainConfig(learning_rate=1e-3, micro_batch_size=micro_batch_size, mini_batch_size=8, kl_beta=0.05)
    one = Policy.load(micro_dir, cfg)
    files = _stored_rollouts(one, tmp_path / "rollouts")
    table = read_rollouts(tmp_path / "rollouts", "dp", 1, "train")
    single, _ = update_from_table(one, table, train, shard=Shard())

    out = tmp_path / "iter-1"
    request = {
        "checkpoint_in": str(micro_dir),
        "checkpoint_out": str(out),
        "files": [str(f) for f in files],
        "policy": cfg.model_dump(mode="json"),
        "train": train.model_dump(mode="json"),
    }
    metrics = launch(request, 2, tmp_path / "work")

    assert metrics["processes"] == 2 and metrics["steps"] == single["steps"] == 2
    assert metrics["rows"] == single["rows"] == 16
    assert metrics["loss"] == pytest.approx(single["loss"], rel=1e-4, abs=1e-6)
    for a, b in zip(single["history"], metrics["history"], strict=True):
        assert b["tokens"] == a["tokens"] and b["grad_norm"] == pytest.approx(a["grad_norm"], rel=1e-4)
    two = Policy.load(out, cfg)
    before = Policy.load(micro_dir, cfg).model.state_dict()
    for (name, p1), p2 in zip(one.model.named_parameters(), two.model.parameters(), strict=True):
        # lr 1e-3: a step moves weights by about 1e-3; summing in another order moves a few by ~3e-6 more
        torch.testing.assert_close(p2, p1, rtol=1e-4, atol=1e-5, msg=lambda m, n=name: f"{n}: {m}")
    assert any(not torch.equal(p, before[n]) for n, p in one.model.named_parameters())  # the step moved them
    assert (out / OPTIMIZER_FILE).exists()  # the optimizer state travels with the checkpoint (resume)
    assert json.loads((tmp_path / "work" / "update_metrics.json").read_text())["processes"] == 2


def test_a_failed_process_fails_the_update(micro_dir, tmp_path) -> None:
    request = {
        "checkpoint_in": str(tmp_path / "missing"),
        "checkpoint_out": str(tmp_path / "out"),
        "files": [],
        "policy": PolicyConfig(device="cpu").model_dump(mode="json"),
        "train": TrainConfig().model_dump(mode="json"),
    }
    with pytest.raises(RuntimeError, match="2-process update failed"):
        launch(request, 2, tmp_path / "work")
    assert not (tmp_path / "out").exists()
