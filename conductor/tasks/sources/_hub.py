"""Loading hub datasets through `datasets.load_dataset`, from a hub id or a local copy in the same format.

A local path (a folder laid out like the hub repository, or one data file) loads exactly as the hub id
would, which is how the loaders are tested offline on fixtures under tests/fixtures/tasks/. Gated datasets
(GPQA) fail with a message that says what to do instead of a bare 401.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_BUILDERS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}


class HubAccessError(RuntimeError):
    """A gated or private dataset that this machine's credentials cannot read."""


_ACCESS_HINTS = ("gated", "must be authenticated", "401 client error", "403 client error")


def is_access_error(exc: BaseException) -> bool:
    """True for the hub's 'gated' / 'not authorised' failures, anywhere in the exception chain (datasets
    wraps huggingface_hub's GatedRepoError in a DatasetNotFoundError that says "gated dataset")."""
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        text = str(e).lower()
        if type(e).__name__ == "GatedRepoError" or any(h in text for h in _ACCESS_HINTS):
            return True
        e = e.__cause__ or e.__context__
    return False


def access_message(dataset_id: str) -> str:
    return (
        f"cannot read the hub dataset {dataset_id!r}: it is gated. Accept its terms while logged in at "
        f"https://huggingface.co/datasets/{dataset_id}, then set HF_TOKEN to a token of that account "
        "(or run `huggingface-cli login`) and run again."
    )


def load_rows(
    path_or_id: str,
    split: str,
    name: str | None = None,
    data_files: Any = None,
    cache_dir: str | None = None,
) -> list[dict[str, Any]]:
    """Rows of one split as plain dicts. `path_or_id`: a hub id, a local folder, or one local data file."""
    from datasets import load_dataset

    local = Path(path_or_id)
    try:
        if local.is_file():
            builder = _BUILDERS.get(local.suffix)
            if builder is None:
                raise ValueError(f"{local}: unknown data file type (use one of {sorted(_BUILDERS)})")
            ds = load_dataset(builder, data_files=str(local), split="train", cache_dir=cache_dir)
        else:
            ds = load_dataset(path_or_id, name, split=split, data_files=data_files, cache_dir=cache_dir)
    except Exception as e:
        if not local.exists() and is_access_error(e):
            raise HubAccessError(access_message(path_or_id)) from e
        raise
    return [dict(row) for row in ds]
