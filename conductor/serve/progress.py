"""What one request sees happen while it is answered: plans written, steps finished, the final step's text.

The executor and the rounds know nothing of requests; they call a planner and a pool client. The server
hands them a per-request planner (which reports each plan here) and a per-request view of the shared pool
client (conductor.serve.request_client, which reports each finished call here and streams the final step's
call). A step is recognised by its request seed: the executor seeds step i of round r with
step_seed(round_seed(seed, r), i) (conductor.seeds), so the seed names the step.

`Progress` records and ignores; `StreamingProgress` also puts events on a queue for a streamed response.
The final step's text is streamed only in the round that must be the last (round `extra_rounds`), and only
once every other step of that round has finished without error: text a client has seen is always the start
of the answer, never of a workflow that then failed (until then its pieces wait in a buffer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conductor.pool.client import CallResult
from conductor.seeds import round_seed, step_seed
from conductor.workflow.parse import parse_workflow
from conductor.workflow.schema import WorkflowError


@dataclass(frozen=True)
class PlanEvent:
    """The Conductor wrote a plan for round `round` (`workflow` None when it does not parse)."""

    round: int
    text: str
    workflow: dict[str, Any] | None
    samples: int
    fallback: bool = False


@dataclass(frozen=True)
class StepEvent:
    """A step's worker call ended."""

    round: int
    step: int
    worker: int
    ok: bool
    error: str | None
    latency_s: float
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class TextEvent:
    """A piece of the final answer, as its worker streamed it."""

    text: str


Event = PlanEvent | StepEvent | TextEvent
Delta = Callable[[str], None]


class Progress:
    """Tracks one request's rounds and steps; a plain `Progress` only records (no streaming)."""

    def __init__(self, seed: int, extra_rounds: int = 0, stream_final: bool = False) -> None:
        self.seed = seed
        self.extra_rounds = extra_rounds
        self.stream_final = stream_final
        self.round = -1
        self._steps: dict[int, int] = {}  # step request seed -> its index in the current round
        self._final_seed: int | None = None
        self._others_left: set[int] = set()
        self._failed = False
        self._buffer: list[str] = []
        self.streamed = ""

    # -- reports --------------------------------------------------------------------------------------------

    def planned(self, round_index: int, text: str, samples: int) -> None:
        """From the planner: round `round_index`'s plan (the rounds parse it again, checking worker ids)."""
        try:
            wf = parse_workflow(text, allow_empty=round_index > 0)
            lists: dict[str, Any] | None = wf.to_lists()
            n = len(wf.steps)
        except WorkflowError:
            lists, n = None, 0
        self.begin_round(round_index, round_seed(self.seed, round_index), n, last=round_index == self.extra_rounds)
        self.emit(PlanEvent(round_index, text, lists, samples))

    def begin_round(self, round_index: int, exec_seed: int, n_steps: int, last: bool) -> None:
        """The steps about to run: which request seed is which step, and which one's text may stream."""
        self.round = round_index
        self._steps = {step_seed(exec_seed, i): i for i in range(n_steps)}
        self._final_seed = step_seed(exec_seed, n_steps - 1) if (last and n_steps and self.stream_final) else None
        self._others_left = set(range(n_steps - 1))
        self._failed = False
        self._buffer = []

    def stream_target(self, seed: int | None) -> Delta | None:
        """Where a call's text pieces go, if this call is the final step of the last round."""
        if seed is None or seed != self._final_seed:
            return None
        return self._piece

    def finished(self, worker: int, seed: int | None, result: CallResult) -> None:
        """From the client view: a worker call ended (retries included)."""
        step = self._steps.get(seed) if seed is not None else None
        if step is None:
            return  # a call of a nested workflow: reported by its parent step
        self.emit(
            StepEvent(
                self.round,
                step,
                worker,
                result.ok,
                result.error,
                round(result.latency_s, 4),
                result.prompt_tokens,
                result.completion_tokens,
            )
        )
        if step in self._others_left:
            self._others_left.discard(step)
            if result.error is not None:
                self._failed = True
                self._buffer = []
            elif not self._others_left:
                self._flush()

    # -- the final step's text ------------------------------------------------------------------------------

    def _piece(self, text: str) -> None:
        if self._failed or not text:
            return
        self._buffer.append(text)
        if not self._others_left:
            self._flush()

    def _flush(self) -> None:
        if self._failed:
            return
        for piece in self._buffer:
            self.streamed += piece
            self.emit(TextEvent(piece))
        self._buffer = []

    def emit(self, event: Event) -> None:
        """Where events go: nowhere here; a streamed response's queue in StreamingProgress."""


class StreamingProgress(Progress):
    """Progress whose events a streamed response reads from `queue`."""

    def __init__(self, seed: int, extra_rounds: int = 0) -> None:
        super().__init__(seed, extra_rounds, stream_final=True)
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    def emit(self, event: Event) -> None:
        self.queue.put_nowait(event)
