"""Docs that stay true: docs/architecture.md names every package and only what exists, its layers are the
import-linter contract's, and the files and `python -m` modules the README and docs name exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCH = (ROOT / "docs" / "architecture.md").read_text()
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("*/README.md"))]


def block_after(heading: str) -> list[str]:
    """The lines of the first code block after `heading` in docs/architecture.md."""
    rest = ARCH.split(heading, 1)[1]
    return rest.split("```", 2)[1].strip("\n").splitlines()


def layout_paths() -> set[Path]:
    """Every folder or file the Layout block names, from its indentation (two spaces per level)."""
    named: set[Path] = set()
    stack: list[str] = []
    for line in block_after("## Layout"):
        m = re.match(r"^( *)([\w.]+/?)\s", line + " ")
        if not m or (len(m.group(1)) // 2) > len(stack):
            continue
        depth = len(m.group(1)) // 2
        stack = [*stack[:depth], m.group(2).rstrip("/")]
        named.add(ROOT.joinpath(*stack))
    return named


def test_architecture_names_every_package_and_only_what_exists():
    named = layout_paths()
    packages = {p.parent for p in (ROOT / "conductor").rglob("__init__.py")} | {ROOT / "conductor_flows"}
    assert not {p.relative_to(ROOT) for p in packages - named}, "packages missing from docs/architecture.md"
    assert not {p.relative_to(ROOT) for p in named if not p.exists()}, "named in docs/architecture.md, not in the tree"


def test_architecture_layers_are_the_import_linter_contract():
    doc = [" | ".join(part.strip() for part in line.split("|")) for line in block_after("## Layers")]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    short = [" | ".join(p.strip().removeprefix("conductor.") for p in layer.split("|")) for layer in layers]
    assert doc == short


def test_the_files_and_modules_the_docs_name_exist():
    missing = []
    for doc in DOCS:
        text = doc.read_text()
        for ref in re.findall(
            r"(?<![\w./])((?:conductor|conductor_flows|benchmarks|tests|docs|scripts|infra)/[\w/.-]*\w)", text
        ):
            if not (ROOT / ref).exists() and "*" not in ref and "<" not in ref:
                missing.append(f"{doc.name}: {ref}")
        for mod in re.findall(r"python -m ([\w.]+)", text):
            if mod in ("pytest", "pip", "venv") or mod.endswith(".NAME"):
                continue
            path = ROOT.joinpath(*mod.split("."))
            if not (
                path.with_suffix(".py").exists() or (path / "__init__.py").exists() or (path / "__main__.py").exists()
            ):
                missing.append(f"{doc.name}: python -m {mod}")
    assert not missing, missing


def test_the_saved_queries_the_docs_name_exist():
    queries = {p.stem for p in (ROOT / "conductor" / "store" / "sql" / "queries").glob("*.sql")}
    for doc in DOCS:
        for name in re.findall(r"--query (\w+)", doc.read_text()):
            assert name in queries or name == "NAME", f"{doc.name}: --query {name}"
