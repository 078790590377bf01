"""The project's own errors: what a user can fix (a model that cannot be loaded, a bad config, a missing
checkpoint, pool or run). Every command turns a `ConductorError` into one line `error: ...` and a non-zero
exit, in one place (`conductor.cli.main`); anything else is a bug and keeps its traceback.

Outcomes of a rollout (a plan that does not parse, a worker fault, a spent budget) are not errors: they are
recorded with the rollout (conductor.workflow, conductor.pool).
"""

from __future__ import annotations


class ConductorError(Exception):
    """A problem the user can fix; the message says what and how, in one line."""


class ConfigError(ConductorError, ValueError):
    """A run config that does not validate: an unknown field, a bad value, an unknown preset, a missing file."""


class NotFoundError(ConductorError, FileNotFoundError):
    """Something a command needs is not there: a checkpoint, a run to resume, prepared tasks."""


class CheckpointNotFound(NotFoundError):
    """A checkpoint reference (a folder, `latest`, `latest:<run>`, `models:/NAME@ALIAS` or `/VERSION`, a hub id)
    that names nothing here: raised by conductor.iteration.checkpoints alone, so `conductor eval`, a retrain's
    start, `conductor serve` and `ask` all say the same one line."""
