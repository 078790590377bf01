"""Loaded Conductor models, kept per checkpoint path within one process.

Flow tasks pass checkpoint paths, never models; this cache spares reloading the same weights in the next
task of the same process (a 7B model takes a minute to load).
"""

from __future__ import annotations

from pathlib import Path

from conductor.config import PolicyConfig
from conductor.policy.model import Policy

_LOADED: dict[str, Policy] = {}


def load_policy(path: str | Path, cfg: PolicyConfig) -> Policy:
    key = str(Path(path).resolve()) if Path(path).exists() else str(path)
    if key not in _LOADED:
        _LOADED.clear()  # one model in memory at a time
        _LOADED[key] = Policy.load(str(path), cfg)
    return _LOADED[key]


def remember(path: Path, policy: Policy) -> None:
    """After an update saved `policy` to `path`, reuse it for the next step instead of reloading."""
    _LOADED.clear()
    _LOADED[str(Path(path).resolve())] = policy
