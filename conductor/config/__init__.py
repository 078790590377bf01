"""Configuration: where state lives (paths.py), the typed settings of a run (settings.py), the named recipes
as plain data (presets.py), reading a config file with `--set` overrides (loading.py), and the generated
reference (reference.py, docs/configuration.md).

This package is the bottom layer: it imports nothing from the rest of the project but `conductor.errors`.
"""

from conductor.config.loading import load_run_config, validate_config
from conductor.config.paths import Paths, default_home
from conductor.config.presets import PRESETS, TINY_BASE_MODEL
from conductor.config.settings import (
    DistributedConfig,
    EvalConfig,
    PolicyConfig,
    PromptMode,
    RolloutConfig,
    RunConfig,
    TinyConfig,
    TrainConfig,
)

__all__ = [
    "DistributedConfig",
    "PRESETS",
    "TINY_BASE_MODEL",
    "EvalConfig",
    "Paths",
    "PolicyConfig",
    "PromptMode",
    "RolloutConfig",
    "RunConfig",
    "TinyConfig",
    "TrainConfig",
    "default_home",
    "load_run_config",
    "validate_config",
]
