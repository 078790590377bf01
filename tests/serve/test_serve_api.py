"""`conductor serve` as a client sees it: the official openai client (sync, async, streaming) against the real
server subprocess, for both endpoints, and each kind of bad input or abuse (tests/serve/conftest.py)."""

from __future__ import annotations

import asyncio
import time

import httpx
import openai
import pytest
from serve_kit import KEY

from conductor.config import Paths
from conductor.pool.client import PoolClient
from conductor.serve.answer import answer, load_served
from conductor.tasks.verify import verify


def client(served, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=served.url, api_key=KEY, max_retries=0, **kw)


def aclient(served) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=served.url, api_key=KEY, max_retries=0)


def ask(c: openai.OpenAI, question: str, seed: int, **kw):
    return c.chat.completions.create(
        model="conductor", messages=[{"role": "user", "content": question}], seed=seed, **kw
    )


def wait_for(predicate, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def usage_adds_up(usage, ext) -> None:
    split = ext["usage"]
    workers = split["workers"].values()
    assert split["conductor"]["prompt_tokens"] > 0 and split["conductor"]["completion_tokens"] > 0
    assert usage.prompt_tokens == split["conductor"]["prompt_tokens"] + sum(w["prompt_tokens"] for w in workers)
    assert usage.completion_tokens == split["conductor"]["completion_tokens"] + sum(
        w["completion_tokens"] for w in workers
    )
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    steps = [s for r in ext["rounds"] for s in r["steps"]]
    assert sum(w["prompt_tokens"] for w in workers) == sum(s["prompt_tokens"] for s in steps)


def test_answers_are_the_library_path_and_verify(served):
    """Sequential requests are batches of one, so the server gives exactly what conductor.serve.answer gives in
    this process for the same seed: the same workflow and the same verified answers (the same accuracy). The
    library's answers are computed first, while the server is still loading."""
    lib = load_served(Paths(), served.checkpoint, overrides=served.overrides)

    async def library() -> list:
        pool_client = PoolClient(served.pool)
        try:
            return [await answer(lib, t.question, served.pool, pool_client, seed=i) for i, t in enumerate(served.tasks)]
        finally:
            await pool_client.aclose()

    expected = asyncio.run(library())
    c = client(served)
    right = 0
    for i, (task, want) in enumerate(zip(served.tasks, expected, strict=True)):
        r = ask(c, task.question, seed=i)
        ext = r.conductor
        assert r.choices[0].message.content == want.answer
        assert ext["rounds"][0]["workflow"] == want.record.rounds[0].workflow
        assert ext["seed"] == i and ext["simulated"] is True
        if ext["fallback"] is False:
            steps = ext["rounds"][0]["steps"]
            assert [s["worker"] for s in steps] == ext["rounds"][0]["workflow"]["model_id"]
            assert steps[-1]["output"] == r.choices[0].message.content
        usage_adds_up(r.usage, ext)
        right += verify(task, r.choices[0].message.content).correct
    lib_right = sum(verify(t, a.answer).correct for t, a in zip(served.tasks, expected, strict=True))
    assert right == lib_right
    print(f"served accuracy {right}/{len(served.tasks)} (library path: {lib_right})")


def test_models_health_and_keys(served):
    c = client(served)
    names = [m.id for m in c.models.list().data]
    assert names[0] == "conductor" and "conductor-r1" in names
    health = served.health()
    assert health["status"] == "ok" and health["simulated"] is True and "SIMULATED" in health["pool"]
    for bad in (openai.OpenAI(base_url=served.url, api_key="wrong", max_retries=0), None):
        if bad is None:  # no key at all
            r = httpx.post(f"{served.url}/chat/completions", json={"model": "conductor", "messages": []})
            assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
            continue
        with pytest.raises(openai.AuthenticationError):
            bad.models.list()
        with pytest.raises(openai.AuthenticationError):
            ask(bad, "What is 2 + 2?", seed=0)


def test_streamed_equals_non_streamed_chat(served):
    c = client(served)
    task = served.tasks[0]
    whole = ask(c, task.question, seed=11)
    kinds, pieces, usage, final = [], [], None, None
    for chunk in ask(c, task.question, seed=11, stream=True, stream_options={"include_usage": True}):
        ext = getattr(chunk, "conductor", None)
        if ext is not None and "event" in ext:
            kinds.append(ext["event"])
        elif ext is not None:
            final = ext
        if chunk.choices and chunk.choices[0].delta.content:
            kinds.append("text")
            pieces.append(chunk.choices[0].delta.content)
        if chunk.usage is not None:
            usage = chunk.usage
    assert "".join(pieces) == whole.choices[0].message.content
    assert len(pieces) > 1  # streamed as the worker streamed it, not sent whole
    assert kinds[0] == "plan" and "step" in kinds and kinds.index("step") < kinds.index("text")
    assert final is not None and final["rounds"][0]["workflow"] == whole.conductor["rounds"][0]["workflow"]
    assert usage is not None and usage.total_tokens == whole.usage.total_tokens


def test_responses_endpoint_sync_and_async_stream(served):
    c = client(served)
    task = served.tasks[1]
    chat = ask(c, task.question, seed=5)
    r = c.responses.create(model="conductor", input=task.question, extra_body={"seed": 5})
    assert r.output_text == chat.choices[0].message.content
    assert r.usage.total_tokens == chat.usage.total_tokens
    assert r.conductor["rounds"][0]["workflow"] == chat.conductor["rounds"][0]["workflow"]

    async def streamed() -> tuple[str, str, list[str]]:
        ac = aclient(served)
        stream = await ac.responses.create(model="conductor", input=task.question, stream=True, extra_body={"seed": 5})
        deltas, types, final = [], [], ""
        async for event in stream:
            types.append(event.type)
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
            if event.type == "response.completed":
                final = event.response.output_text
        await ac.close()
        return "".join(deltas), final, types

    text, final, types = asyncio.run(streamed())
    assert text == final == chat.choices[0].message.content
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert "response.in_progress" in types and types.count("response.output_text.delta") > 1


def test_concurrent_async_requests_share_a_batch(served):
    before = served.health()["batching"]

    async def many() -> list:
        ac = aclient(served)
        try:
            return await asyncio.gather(
                *(
                    ac.chat.completions.create(
                        model="conductor", messages=[{"role": "user", "content": t.question}], seed=100 + i
                    )
                    for i, t in enumerate(served.tasks[:4])
                )
            )
        finally:
            await ac.close()

    results = asyncio.run(many())
    after = served.health()["batching"]
    assert after["largest"] >= 2  # at least two plans were sampled by one generate call
    assert after["prompts"] - before["prompts"] >= 4 and after["batches"] - before["batches"] < 4
    for r in results:
        assert r.choices[0].message.content and r.conductor["rounds"][0]["workflow"]
        usage_adds_up(r.usage, r.conductor)


def test_bad_requests(served):
    c = client(served)
    headers = {"Authorization": f"Bearer {KEY}"}
    r = httpx.post(f"{served.url}/chat/completions", headers=headers, content=b"{not json")
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = httpx.post(f"{served.url}/chat/completions", headers=headers, content=b"x" * 60_000)
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"
    with pytest.raises(openai.BadRequestError) as e:
        c.chat.completions.create(model="conductor", messages=[])
    assert e.value.body["param"] == "messages"
    with pytest.raises(openai.BadRequestError):
        ask(c, "What is 2 + 2?", seed=0, n=2)
    with pytest.raises(openai.BadRequestError):
        c.chat.completions.create(model="conductor", messages=[{"role": "user", "content": "hi"}] * 9)
    with pytest.raises(openai.NotFoundError) as nf:
        c.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert nf.value.body["code"] == "model_not_found"
    r = httpx.get(f"{served.url}/nothing-here", headers=headers)
    assert r.status_code == 404 and "error" in r.json()


def test_full_server_says_429_with_retry_after(served):
    served.switch.gate.clear()
    try:

        async def fill_and_overflow():
            ac = aclient(served)
            hold = [
                asyncio.create_task(
                    ac.chat.completions.create(
                        model="conductor", messages=[{"role": "user", "content": t.question}], seed=i
                    )
                )
                for i, t in enumerate(served.tasks[:4])
            ]
            for _ in range(500):
                if served.health()["in_flight"] == 4:
                    break
                await asyncio.sleep(0.02)
            with pytest.raises(openai.RateLimitError) as e:
                await ac.chat.completions.create(model="conductor", messages=[{"role": "user", "content": "hi"}])
            served.switch.gate.set()
            done = await asyncio.gather(*hold)
            await ac.close()
            return e.value, done

        err, done = asyncio.run(fill_and_overflow())
        assert err.response.headers["retry-after"] == "1"
        assert all(r.choices[0].message.content for r in done)
    finally:
        served.switch.gate.set()


def test_worker_down_names_the_step_and_the_server_keeps_serving(served):
    c = client(served)
    served.switch.down = True
    try:
        with pytest.raises(openai.InternalServerError) as e:
            ask(c, served.tasks[2].question, seed=3)
    finally:
        served.switch.down = False
    assert e.value.status_code == 502
    body = e.value.body
    assert (
        body["code"] == "worker_failed"
        and "step 0 (worker" in body["message"]
        and "server error (500)" in body["message"]
    )
    failed = [s for s in e.value.response.json()["conductor"]["rounds"][0]["steps"] if s["error"]]
    assert failed and failed[0]["index"] == 0
    assert KEY not in e.value.response.text
    again = ask(c, served.tasks[2].question, seed=3)
    assert again.choices[0].message.content
    assert served.health()["status"] == "ok"


def test_client_gone_mid_stream_cancels_its_work(served):
    before = served.health()
    aborted = served.switch.aborted
    served.switch.gate.clear()
    try:
        c = client(served)
        stream = ask(c, served.tasks[3].question, seed=9, stream=True)
        for chunk in stream:
            ext = getattr(chunk, "conductor", None)
            if ext is not None and ext.get("event") == "plan":
                break
        assert wait_for(lambda: served.switch.held >= 1)  # its first worker call is on the wire
        stream.close()
        assert wait_for(lambda: served.health()["in_flight"] == 0, 5)
        assert wait_for(lambda: served.switch.aborted > aborted, 5)  # the worker call was cancelled too
        assert served.health()["cancelled"] == before["cancelled"] + 1
        assert served.switch.held == 0
    finally:
        served.switch.gate.set()
