"""Time limits of `conductor serve`, against its own server (tests/serve/conftest.py `strict`): a request past
the time per request is answered 504 in OpenAI's error shape, and a worker that stops answering in the
middle of a workflow gives a 502 naming the step that timed out; in both cases the server keeps serving."""

from __future__ import annotations

import time

import openai
import pytest
from serve_kit import KEY, STRICT_TIMEOUT_S, WORKER_TIMEOUT_S


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key=KEY, max_retries=0, timeout=60)


def ask(c: openai.OpenAI, question: str, seed: int):
    return c.chat.completions.create(model="conductor", messages=[{"role": "user", "content": question}], seed=seed)


def wait_for(predicate, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_past_the_time_per_request_is_504_and_the_server_keeps_serving(strict):
    c = client(strict)
    task = strict.tasks[0]
    before = strict.health()
    aborted = strict.switch.aborted
    strict.switch.trickle = True  # the worker answers, slower than the request may take
    try:
        t0 = time.monotonic()
        with pytest.raises(openai.APIStatusError) as e:
            ask(c, task.question, seed=1)
        took = time.monotonic() - t0
    finally:
        strict.switch.trickle = False
    assert e.value.status_code == 504
    error = e.value.response.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"}
    assert error["type"] == "server_error" and error["code"] == "timeout"
    assert f"{STRICT_TIMEOUT_S:g} s" in error["message"]
    assert STRICT_TIMEOUT_S <= took < STRICT_TIMEOUT_S + 5
    assert wait_for(lambda: strict.switch.aborted > aborted)  # its worker call was cancelled with it
    health = strict.health()
    assert health["timed_out"] == before["timed_out"] + 1 and health["in_flight"] == 0
    assert strict.switch.held == 0
    again = ask(c, task.question, seed=1)
    assert again.choices[0].message.content and again.conductor["rounds"][0]["steps"]


def _later_steps_wait(workflow: dict) -> bool:
    """At least two steps, and every step after the first sees an earlier one: step 0's call is the only
    one until it answers, so the next call is a later step's."""
    access = workflow.get("access_list") or []
    return len(access) >= 2 and all(acc for acc in access[1:])


def test_a_worker_timing_out_mid_workflow_names_its_step(strict):
    c = client(strict)
    found = None
    for seed in range(4):  # sequential requests are batches of one: a seed gives the same plan again
        for task in strict.tasks:
            r = ask(c, task.question, seed=seed)
            workflow = r.conductor["rounds"][0]["workflow"]
            if not r.conductor["fallback"] and _later_steps_wait(workflow):
                found = (task, seed, workflow)
                break
        if found:
            break
    assert found is not None, "no prepared task got a plan of two dependent steps from the tiny Conductor"
    task, seed, _ = found
    strict.switch.pass_before_hold = 1
    strict.switch.gate.clear()
    try:
        with pytest.raises(openai.InternalServerError) as e:
            ask(c, task.question, seed=seed)
    finally:
        strict.switch.gate.set()
        strict.switch.pass_before_hold = 0
    assert e.value.status_code == 502 and e.value.body["code"] == "worker_failed"
    steps = e.value.response.json()["conductor"]["rounds"][0]["steps"]
    assert steps[0]["error"] is None and steps[0]["output"]  # the first step answered
    failed = [s for s in steps if s["error"]]
    assert failed and failed[0]["index"] >= 1 and "timeout after 3 attempts" in failed[0]["error"]
    assert f"step {failed[0]['index']} (worker {failed[0]['worker']}): timeout" in e.value.body["message"]
    assert failed[0]["latency_s"] >= 3 * WORKER_TIMEOUT_S
    assert KEY not in e.value.response.text
    again = ask(c, task.question, seed=seed)
    assert again.choices[0].message.content
    assert strict.health()["status"] == "ok"
