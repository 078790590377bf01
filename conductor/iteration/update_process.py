"""An iteration's GRPO update in N processes, one per GPU (`train.processes`), launched through accelerate.

update_step writes a request (checkpoint in and out, the iteration's rollout files, the policy and train
config) and runs `accelerate launch --multi_gpu --num_processes N -m conductor.iteration.update_process
--request FILE`. Every process loads the checkpoint on its own device, reads the same stored rollouts, computes
the same advantages, and runs its share of each optimizer step (conductor/train/shard.py); the first process
saves the checkpoint (with the optimizer state, for resume) and the metrics, atomically, as the one-process
update does. A failed process fails the launch, and so the iteration, which a resume then redoes.

On a machine without GPUs the processes are started by `torch.distributed.run`, the launcher accelerate's
multi-GPU launch wraps, because accelerate's own CPU launch starts one process; `PartialState(cpu=True)` then
joins them with the gloo backend. That is how the tests run this path.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch

from conductor.config import PolicyConfig, TrainConfig
from conductor.iteration.update import save_checkpoint, update_from_table
from conductor.policy.model import Policy
from conductor.store.rollouts import read_files
from conductor.train.shard import Shard


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_command(processes: int, request: Path, gpus: bool) -> list[str]:
    module = ["-m", "conductor.iteration.update_process", "--request", str(request)]
    port = str(_free_port())
    if gpus:
        accelerate = Path(sys.executable).with_name("accelerate")
        return [
            str(accelerate),
            "launch",
            "--multi_gpu",
            "--num_processes",
            str(processes),
            "--num_machines",
            "1",
            "--mixed_precision",
            "no",
            "--dynamo_backend",
            "no",
            "--main_process_port",
            port,
            *module,
        ]
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        str(processes),
        "--master_addr",
        "127.0.0.1",
        "--master_port",
        port,
        *module,
    ]


def launch(request: dict[str, Any], processes: int, work_dir: Path) -> dict[str, Any]:
    """Run the update in `processes` processes; returns the metrics the first one wrote."""
    gpus = torch.cuda.is_available()
    if gpus and torch.cuda.device_count() < processes:
        raise RuntimeError(f"train.processes={processes} but this machine has {torch.cuda.device_count()} GPU(s)")
    work_dir.mkdir(parents=True, exist_ok=True)
    req_file = work_dir / "update_request.json"
    metrics_file = work_dir / "update_metrics.json"
    metrics_file.unlink(missing_ok=True)
    req_file.write_text(json.dumps({**request, "metrics": str(metrics_file)}, indent=2, default=str))
    cmd = launch_command(processes, req_file, gpus)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(cmd, env=env, check=False)
    if done.returncode != 0 or not metrics_file.exists():
        raise RuntimeError(f"the {processes}-process update failed (exit status {done.returncode}): {' '.join(cmd)}")
    return json.loads(metrics_file.read_text())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="One iteration's GRPO update as one of N processes (see the module doc).")
    ap.add_argument("--request", required=True, help="the JSON request update_step wrote")
    args = ap.parse_args(argv)
    req = json.loads(Path(args.request).read_text())

    from accelerate import PartialState  # only the launched processes need accelerate (named lazy import)

    state = PartialState(cpu=not torch.cuda.is_available())
    device = str(state.device) if state.device.type == "cuda" else "cpu"
    policy = Policy.load(
        req["checkpoint_in"], PolicyConfig.model_validate(req["policy"]).model_copy(update={"device": device})
    )
    table = read_files([Path(f) for f in req["files"]])
    metrics, optimizer = update_from_table(
        policy,
        table,
        TrainConfig.model_validate(req["train"]),
        checkpoint_in=Path(req["checkpoint_in"]),
        shard=Shard(state.process_index, state.num_processes),
    )
    if state.is_main_process:
        save_checkpoint(policy, optimizer, Path(req["checkpoint_out"]))
        metrics["processes"] = state.num_processes
        Path(req["metrics"]).write_text(json.dumps(metrics, default=float))
    state.wait_for_everyone()
    state.destroy_process_group()


if __name__ == "__main__":
    main()
