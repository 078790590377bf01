"""`python -m conductor.config` prints the run-config reference (docs/configuration.md)."""

from conductor.config.reference import config_reference

print(config_reference())
