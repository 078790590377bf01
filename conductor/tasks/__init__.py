"""Tasks: questions with verifiable answers, their sources, and the verifiers that score responses."""

from conductor.tasks.schema import Domain, Task, VerifierKind

__all__ = ["Domain", "Task", "VerifierKind"]
