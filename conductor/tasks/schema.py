"""The one task schema every source produces and every stage reads.

A task's `question` is the full text shown to the Conductor and to every worker, output instructions
included (work in <idea> tags, final answer in <answer> tags), so the simulated pool can recognise a task
by its text and the verifiers can rely on the <answer> convention.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Domain = Literal["math", "science", "code"]
VerifierKind = Literal["math", "choice", "code"]
Split = Literal["train", "test"]


class Task(BaseModel):
    """One question with a reference answer and what its verifier needs."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id, unique across sources, e.g. 'humaneval/HumanEval-12'.")
    source: str = Field(description="Where it comes from: 'humaneval', 'mmlu', 'jee-math', 'synthetic-arith', ...")
    domain: Domain
    question: str = Field(description="Full text shown to the Conductor and the workers, output format included.")
    answer: str = Field(description="Reference answer: a math expression, a choice letter, or a reference program.")
    verifier: VerifierKind
    verifier_data: dict[str, Any] = Field(
        default_factory=dict,
        description="What the verifier needs: choices, tests, entry point, test style ...",
    )
    difficulty: float | None = Field(default=None, description="In [0, 1] when the source says; None otherwise.")
    split: Split = "train"
    real: bool = Field(default=True, description="True for real benchmark data, False for generated tasks.")

    @field_validator("question", "answer")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v

    def to_row(self) -> dict[str, Any]:
        """Flat row for Parquet: verifier_data as a JSON string, so the schema is the same for every source."""
        row = self.model_dump()
        row["verifier_data"] = json.dumps(self.verifier_data, sort_keys=True)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Task:
        data = dict(row)
        vd = data.get("verifier_data")
        if isinstance(vd, str):
            data["verifier_data"] = json.loads(vd) if vd else {}
        return cls.model_validate(data)
