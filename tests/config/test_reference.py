"""docs/configuration.md is generated from the settings and the presets, and kept in sync."""

from __future__ import annotations

from pathlib import Path

from conductor.config.reference import config_reference
from conductor.config.settings import SECTIONS, RunConfig

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_md_is_in_sync():
    assert DOC.read_text() == config_reference() + "\n", (
        "regenerate: python -m conductor.config > docs/configuration.md"
    )


def test_every_field_is_documented_with_help_text():
    text = config_reference()
    for name, model in [("", RunConfig), *SECTIONS.items()]:
        for field, info in model.model_fields.items():
            if not name and field in SECTIONS:
                continue
            assert info.description, f"{name}.{field} has no help text"
            assert f"`{name + '.' if name else ''}{field}`" in text
