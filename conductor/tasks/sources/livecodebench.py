"""LiveCodeBench code generation (livecodebench/code_generation_lite; CC BY 4.0 per its card; problems
from LeetCode, AtCoder, Codeforces): needs the hub.

The hub repository still ships a loading script, which `datasets` 4+ refuses to run, so its JSONL files
are read directly with the json builder: release_v1 is test.jsonl (the paper trains on release v1), and
later releases add test2.jsonl ... test6.jsonl. Rows: question_title, question_content, platform,
question_id, contest_date, starter_code, difficulty, public_test_cases and private_test_cases (JSON, the
private ones often base64 + zlib + pickle of a JSON string), metadata (JSON, func_name for LeetCode).

Tests are public + private. Codeforces/AtCoder tests are stdin/stdout ('stdio' style); LeetCode tests call
`Solution().<func_name>(*args)` ('call' style). LiveCodeBench ships no reference solutions.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from pathlib import Path
from typing import Any

from conductor.tasks.schema import Task
from conductor.tasks.sources._format import CODE_INSTRUCTIONS, STDIO_INSTRUCTIONS
from conductor.tasks.sources._hub import load_rows
from conductor.tasks.split import split_for

NAME = "livecodebench"
LOADER_VERSION = "1"
PACKAGE = "datasets"
HUB_ID = "livecodebench/code_generation_lite"
RELEASE_FILES = {f"release_v{k}": ["test.jsonl"] + [f"test{j}.jsonl" for j in range(2, k + 1)] for k in range(1, 7)}
NO_REFERENCE = "# LiveCodeBench ships no reference solution: answers are judged by the tests alone."
_DIFFICULTY = {"easy": 1 / 3, "medium": 2 / 3, "hard": 1.0}


class _StringsOnly(pickle.Unpickler):
    """The private tests are a pickled *string*: refuse any object a hostile file could smuggle in."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")


def decode_tests(field: str | list | None) -> list[dict[str, str]]:
    if not field:
        return []
    if isinstance(field, list):
        return field
    try:
        return json.loads(field)
    except json.JSONDecodeError:
        raw = zlib.decompress(base64.b64decode(field.encode("utf-8")))
        return json.loads(_StringsOnly(io.BytesIO(raw)).load())


def _data_files(path_or_id: str, version: str) -> list[str] | str:
    files = RELEASE_FILES.get(version, [version])
    local = Path(path_or_id)
    if local.is_file():
        return str(local)
    if local.is_dir():
        return [str(local / f) for f in files if (local / f).exists()]
    return [f"hf://datasets/{path_or_id}/{f}" for f in files]


def task_from_row(row: dict[str, Any]) -> Task:
    tests = decode_tests(row.get("public_test_cases")) + decode_tests(row.get("private_test_cases"))
    meta = row.get("metadata") or "{}"
    meta = json.loads(meta) if isinstance(meta, str) else meta
    cases = [{"input": t["input"], "output": t["output"]} for t in tests]
    functional = bool(tests) and tests[0].get("testtype") == "functional"
    tid = f"{NAME}/{row['question_id']}"
    starter = (row.get("starter_code") or "").strip()
    body = str(row["question_content"]).strip()
    if functional:
        question = f"{body}\n\nComplete this starter code:\n```python\n{starter}\n```\n\n{CODE_INSTRUCTIONS}"
        vd: dict[str, Any] = {"style": "call", "func_name": meta["func_name"], "tests": cases}
    else:
        question = f"{body}\n\n{STDIO_INSTRUCTIONS}"
        vd = {"style": "stdio", "tests": cases}
    vd["platform"] = row.get("platform", "")
    return Task(
        id=tid,
        source=NAME,
        domain="code",
        question=question,
        answer=NO_REFERENCE,
        verifier="code",
        verifier_data=vd,
        difficulty=_DIFFICULTY.get(str(row.get("difficulty", "")).lower()),
        split=split_for(tid),
        real=True,
    )


def load(
    path_or_id: str = HUB_ID,
    split: str = "test",
    seed: int = 0,
    version: str = "release_v1",
    cache_dir: str | None = None,
) -> list[Task]:
    """`split` is accepted for a uniform signature; the release `version` picks the files."""
    rows = load_rows("json", "train", data_files=_data_files(path_or_id, version), cache_dir=cache_dir)
    return [task_from_row(r) for r in rows]
