"""Workflows: the Conductor's plan (schema), reading it from raw text (parse), and running it (executor)."""

from conductor.workflow.schema import MAX_STEPS, Step, Workflow, WorkflowError

__all__ = ["MAX_STEPS", "Step", "Workflow", "WorkflowError"]
