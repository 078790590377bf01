"""Hub loaders through `datasets.load_dataset`, on local fixtures in each source's own layout."""

from __future__ import annotations

import pytest
from task_helpers import FIXTURES, as_answer

from conductor.tasks.sources import aime25, bigcodebench, gpqa, livecodebench, math500, mmlu_hub
from conductor.tasks.sources._hub import HubAccessError, access_message, is_access_error
from conductor.tasks.verify import verify


@pytest.fixture
def cache(tmp_path) -> str:
    return str(tmp_path / "hf-cache")


def test_math500(cache) -> None:
    tasks = math500.load(path_or_id=str(FIXTURES / "math500"), cache_dir=cache)
    assert [t.id for t in tasks] == ["math500/prealgebra-1", "math500/algebra-2", "math500/algebra-3"]
    assert tasks[0].answer == "\\frac{3}{4}" and tasks[0].difficulty == pytest.approx(0.2)
    assert verify(tasks[0], "<answer>0.75</answer>").correct
    assert verify(tasks[2], "<answer>\\sqrt{8}</answer>").correct


def test_aime25_is_evaluation_only(cache) -> None:
    tasks = aime25.load(path_or_id=str(FIXTURES / "aime25"), cache_dir=cache)
    assert len(tasks) == 2 and all(t.split == "test" for t in tasks)
    assert verify(tasks[0], "<answer>24</answer>").correct


def test_gpqa_choices_shuffled_and_verifiable(cache) -> None:
    tasks = gpqa.load(path_or_id=str(FIXTURES / "gpqa"), cache_dir=cache)
    assert len(tasks) == 3 and all(t.domain == "science" and t.split == "test" for t in tasks)
    for t in tasks:
        correct = t.verifier_data["choices"]["ABCD".index(t.answer)]
        assert correct in ("Photon", "+7", "Mitochondrion")
        assert verify(t, f"<answer>{t.answer}</answer>").correct
    assert (
        len({t.answer for t in tasks} | {t.answer for t in gpqa.load(str(FIXTURES / "gpqa"), seed=5, cache_dir=cache)})
        > 1
    )


def test_gated_access_gets_a_clear_message() -> None:
    from datasets.exceptions import DatasetNotFoundError

    gated = DatasetNotFoundError("Dataset 'Idavidrein/gpqa' is a gated dataset on the Hub. You must be authenticated.")
    try:
        raise RuntimeError("load failed") from gated
    except RuntimeError as chained:
        assert is_access_error(chained)
    assert not is_access_error(ConnectionError("Couldn't reach 'Idavidrein/gpqa' on the Hub (ConnectError)"))
    message = access_message(gpqa.HUB_ID)
    assert (
        "Accept its terms" in message and "HF_TOKEN" in message and "huggingface.co/datasets/Idavidrein/gpqa" in message
    )
    assert issubclass(HubAccessError, RuntimeError)


def test_mmlu_hub_keeps_stem(cache) -> None:
    tasks = mmlu_hub.load(path_or_id=str(FIXTURES / "mmlu-hub"), cache_dir=cache)
    assert {t.verifier_data["subject"] for t in tasks} == {"high school physics", "elementary mathematics"}
    physics = next(t for t in tasks if "force" in t.question)
    assert physics.verifier_data["choices"]["ABCD".index(physics.answer)] == "Newton"
    everything = mmlu_hub.load(path_or_id=str(FIXTURES / "mmlu-hub"), stem_only=False, cache_dir=cache)
    assert len(everything) == 3


def test_livecodebench_stdio_and_call_styles_with_private_tests(cache) -> None:
    tasks = {t.id: t for t in livecodebench.load(path_or_id=str(FIXTURES / "livecodebench"), cache_dir=cache)}
    stdio, call = tasks["livecodebench/abc000_a"], tasks["livecodebench/9001"]
    assert stdio.verifier_data["style"] == "stdio" and len(stdio.verifier_data["tests"]) == 3  # 1 public + 2 private
    assert call.verifier_data["style"] == "call" and call.verifier_data["func_name"] == "largest"
    assert verify(stdio, as_answer("a, b = map(int, input().split())\nprint(a + b)")).correct
    assert not verify(stdio, as_answer("print(3)")).correct  # passes the public test only
    solution = "class Solution:\n    def largest(self, nums: List[int]) -> int:\n        return max(nums)"
    assert verify(call, as_answer(solution)).correct
    assert not verify(call, as_answer(solution.replace("max", "min"))).correct


def test_livecodebench_refuses_pickled_objects() -> None:
    import base64
    import pickle
    import zlib

    evil = base64.b64encode(zlib.compress(pickle.dumps(print))).decode()
    with pytest.raises(pickle.UnpicklingError):
        livecodebench.decode_tests(evil)


def test_bigcodebench_unittest_style(cache) -> None:
    (task,) = bigcodebench.load(path_or_id=str(FIXTURES / "bigcodebench"), cache_dir=cache)
    assert task.id == "bigcodebench/BigCodeBench-0" and task.split == "test"
    assert verify(task, as_answer(task.answer)).correct
    assert not verify(task, as_answer("def task_func(text):\n    return {}")).correct
