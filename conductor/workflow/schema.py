"""A workflow: at most five steps, each a worker, a subtask and an access list (paper section 2).

The access entry is the paper's binary form: "all" (every earlier step of this workflow) or "none" (the
empty list). Fine-grained entries (tuples of earlier positions) are an optional extension, off by default.
The last step's output is the answer; no synthesis step is added.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_STEPS = 5

Access = Literal["all", "none"] | tuple[int, ...]


class WorkflowError(ValueError):
    """A workflow that cannot be used. `code` is stable (for tests and SQL); `step` names the step when known."""

    def __init__(self, code: str, message: str, step: int | None = None) -> None:
        self.code = code
        self.step = step
        self.message = message
        super().__init__(f"step {step}: {message}" if step is not None else message)


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    worker: int = Field(description="Worker id from the pool.")
    subtask: str = Field(description="The instruction for this worker.")
    access: Access = Field(default="none", description='"all", "none", or (extension) earlier positions.')

    def visible(self, position: int) -> tuple[int, ...]:
        """Positions of earlier steps this step may read. "all" on step 0 is simply empty (paper, code)."""
        if self.access == "all":
            return tuple(range(position))
        if self.access == "none":
            return ()
        return tuple(self.access)


class Workflow(BaseModel):
    model_config = ConfigDict(frozen=True)

    steps: tuple[Step, ...]

    @property
    def is_accept(self) -> bool:
        """Three empty lists: in a recursion round, 'accept the previous answer'."""
        return len(self.steps) == 0

    def to_lists(self) -> dict[str, list]:
        """The paper's three-list form, e.g. for printing back to the model or the user."""
        return {
            "model_id": [s.worker for s in self.steps],
            "subtasks": [s.subtask for s in self.steps],
            "access_list": [
                ["all"] if s.access == "all" else [] if s.access == "none" else list(s.access) for s in self.steps
            ],
        }

    def render(self) -> str:
        """The text a Conductor writes for this workflow (used for SFT targets and previous-plan turns)."""
        lists = self.to_lists()
        return (
            f"model_id = {json.dumps(lists['model_id'])}\n"
            f"subtasks = {json.dumps(lists['subtasks'], ensure_ascii=False)}\n"
            f"access_list = {json.dumps(lists['access_list'])}"
        )
