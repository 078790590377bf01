from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from task_helpers import math_task

from conductor.tasks.verify import verify, verify_many
from conductor.tasks.verify.math_verifier import equivalent


@pytest.mark.parametrize(
    ("gold", "response"),
    [
        ("\\frac{1}{2}", "<answer>0.5</answer>"),
        ("\\frac{1}{2}", "<answer>1/2</answer>"),
        ("0.5", "<answer>\\frac{1}{2}</answer>"),
        ("\\frac{1}{2}", "so the result is \\boxed{\\frac12}"),
        ("1000", "<answer>1,000</answer>"),
        ("4", "<answer>4.0</answer>"),
        ("3", "<answer>x = 3</answer>"),
        ("\\sqrt{2}", "<answer>2^{1/2}</answer>"),
        ("-4", "<answer>\u20134</answer>"),  # an en dash, as in the jee-math file
        ("2\\sqrt{2}", "The answer is $\\sqrt{8}$."),
    ],
)
def test_equivalent_forms_pass(gold: str, response: str) -> None:
    verdict = verify(math_task(gold), response)
    assert verdict.correct, verdict.reason
    assert verdict.score == 1.0 and verdict.reason == "ok"


@pytest.mark.parametrize(
    ("gold", "response"),
    [("\\frac{1}{2}", "<answer>0.6</answer>"), ("4", "<answer>5</answer>"), ("\\sqrt{2}", "<answer>2</answer>")],
)
def test_wrong_answers_fail(gold: str, response: str) -> None:
    verdict = verify(math_task(gold), response)
    assert not verdict.correct and verdict.score == 0.0
    assert verdict.reason.startswith("wrong answer: got ")


def test_missing_answer_has_a_reason() -> None:
    verdict = verify(math_task("3"), "I think it is three-ish")
    assert not verdict.correct and verdict.reason.startswith("no answer found")


def test_safe_off_the_main_thread() -> None:
    """math-verify's signal.alarm raises off the main thread; ours must not."""
    task = math_task("\\frac{1}{2}")
    results: list[bool] = []
    t = threading.Thread(target=lambda: results.append(verify(task, "<answer>0.5</answer>").correct))
    t.start()
    t.join()
    assert results == [True]
    with ThreadPoolExecutor(4) as ex:
        verdicts = list(ex.map(lambda r: verify(task, r), ["<answer>0.5</answer>", "<answer>2</answer>"] * 4))
    assert [v.correct for v in verdicts] == [True, False] * 4

    async def reward() -> bool:
        return (await asyncio.to_thread(verify, task, "<answer>1/2</answer>")).correct

    assert asyncio.run(reward())


def test_verify_many_keeps_order() -> None:
    items = [(math_task(str(k)), f"<answer>{k if k % 3 else k + 1}</answer>") for k in range(12)]
    verdicts = verify_many(items)
    assert [v.correct for v in verdicts] == [bool(k % 3) for k in range(12)]


def test_a_stuck_check_times_out_and_the_pool_recovers() -> None:
    ok, detail = equivalent("1", "1", timeout_s=0)  # no time at all: the worker is killed and replaced
    assert not ok and detail.startswith("timeout")
    assert equivalent("\\frac{1}{2}", "0.5") == (True, "")
