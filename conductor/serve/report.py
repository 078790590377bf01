"""The `conductor` extension field of a response: the workflow as it ran, and the usage split.

    {"checkpoint": ..., "pool": "simulated-default (SIMULATED)", "simulated": true, "seed": 7,
     "rounds": [{"round": 0, "plan": "<what the Conductor wrote>", "workflow": {model_id, subtasks, access_list},
                 "parse_error": null, "accepted": false, "fallback": false,
                 "steps": [{index, worker, worker_name, subtask, access, output, prompt_tokens,
                            completion_tokens, cost_usd, latency_s, attempts, error}]}],
     "stop_reason": "max_rounds", "failure": null,
     "usage": {"conductor": {prompt_tokens, completion_tokens, samples, generate_s, largest_batch},
               "workers": {"<id>": {name, prompt_tokens, completion_tokens, cost_usd, calls}},
               "prompt_tokens": ..., "completion_tokens": ..., "total_tokens": ..., "cost_usd": ...}}

The standard `usage` of a response is the total: the Conductor's tokens plus every worker's. Steps list what
each worker was asked and answered, not the messages it was sent (those hold the whole question again).
"""

from __future__ import annotations

from typing import Any

from conductor.pool.spec import PoolSpec
from conductor.serve.answer import Answered
from conductor.workflow.result import Execution, StepResult


def _step(s: StepResult, pool: PoolSpec) -> dict[str, Any]:
    name: str | None
    try:
        name = pool.worker(s.worker).name
    except KeyError:
        name = "conductor" if s.worker == pool.conductor_id else None
    return {
        "index": s.index,
        "worker": s.worker,
        "worker_name": name,
        "subtask": s.subtask,
        "access": s.access,
        "output": s.output,
        "prompt_tokens": s.prompt_tokens,
        "completion_tokens": s.completion_tokens,
        "cost_usd": round(s.cost_usd, 8),
        "latency_s": round(s.latency_s, 4),
        "attempts": s.attempts,
        "error": s.error,
        "nested": s.nested,
    }


def _executions(a: Answered) -> list[Execution]:
    runs = [r.execution for r in a.record.rounds if r.execution is not None]
    return runs + ([a.fallback] if a.fallback is not None else [])


def usage_split(a: Answered, pool: PoolSpec) -> dict[str, Any]:
    workers: dict[str, dict[str, Any]] = {}
    for e in _executions(a):
        for s in e.steps:
            w = workers.setdefault(
                str(s.worker),
                {"name": _step(s, pool)["worker_name"], "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0},
            )
            w["prompt_tokens"] += s.prompt_tokens
            w["completion_tokens"] += s.completion_tokens
            w["cost_usd"] = round(w["cost_usd"] + s.cost_usd, 8)
            w["calls"] = w.get("calls", 0) + s.attempts
    prompt = a.conductor.prompt_tokens + sum(w["prompt_tokens"] for w in workers.values())
    completion = a.conductor.completion_tokens + sum(w["completion_tokens"] for w in workers.values())
    return {
        "conductor": {
            "prompt_tokens": a.conductor.prompt_tokens,
            "completion_tokens": a.conductor.completion_tokens,
            "samples": a.conductor.samples,
            "generate_s": round(a.conductor.generate_s, 4),
            "largest_batch": a.conductor.largest_batch,
        },
        "workers": workers,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost_usd": round(sum(w["cost_usd"] for w in workers.values()), 8),
    }


def extension(a: Answered, pool: PoolSpec, checkpoint: str) -> dict[str, Any]:
    rounds: list[dict[str, Any]] = [
        {
            "round": r.round,
            "plan": r.completion,
            "workflow": r.workflow,
            "parse_error": r.parse_error,
            "accepted": r.accepted,
            "fallback": False,
            "steps": [_step(s, pool) for s in (r.execution.steps if r.execution is not None else [])],
        }
        for r in a.record.rounds
    ]
    if a.fallback is not None:
        rounds.append(
            {
                "round": 0,
                "plan": None,
                "workflow": {"model_id": [a.fallback_worker], "subtasks": [s.subtask for s in a.fallback.steps]},
                "parse_error": None,
                "accepted": False,
                "fallback": True,
                "steps": [_step(s, pool) for s in a.fallback.steps],
            }
        )
    return {
        "checkpoint": checkpoint,
        "pool": pool.label,
        "simulated": pool.simulated,
        "seed": a.seed,
        "fallback": a.fallback is not None,
        "rounds": rounds,
        "stop_reason": a.record.stop_reason,
        "failure": a.failure,
        "usage": usage_split(a, pool),
    }
