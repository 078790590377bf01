"""The one checkpoint resolver: every reference that names nothing fails with the same error type and the same
one-line shape, whichever command asked (eval, a retrain's start, serve, ask all call it)."""

from __future__ import annotations

import pytest

from conductor.config import Paths
from conductor.errors import CheckpointNotFound
from conductor.iteration import checkpoints


@pytest.mark.parametrize(
    "ref, why",
    [
        ("latest", "none trained yet"),
        ("latest:", "name the run"),
        ("latest:nobody", "no run with id or name 'nobody'"),
        ("./no/such/folder", "no such folder"),
        ("models:/conductor", "is not models:/NAME@ALIAS or models:/NAME/VERSION"),
        ("no-such-org/no-such-model", "Hugging Face cache"),  # offline (tests/conftest.py): the cache decides
    ],
)
def test_a_reference_that_names_nothing_is_one_line_of_one_type(ref, why, tmp_path):
    with pytest.raises(CheckpointNotFound) as e:
        checkpoints.resolve(Paths(home=tmp_path), ref)
    text = str(e.value)
    assert text.startswith(f"no checkpoint {ref!r}: ") and why in text and "\n" not in text, text


def test_a_folder_is_itself_and_knows_no_run(tmp_path):
    ref = checkpoints.resolve(Paths(home=tmp_path / "home"), str(tmp_path))
    assert (ref.checkpoint, ref.run_id, ref.source) == (str(tmp_path), None, str(tmp_path))
