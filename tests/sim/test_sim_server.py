"""The simulated pool over real HTTP with the openai client: schema, labels, determinism, faults."""

from __future__ import annotations

import asyncio
import random
import time
import urllib.request

import openai
import pytest
from simkit import CODE, MATH, SCIENCE, TASKS, client_for, model_of

from conductor.pool.spec import PoolSpec
from conductor.sim.answers import extract_answer, is_right, right_answer
from conductor.sim.faults import FaultConfig
from conductor.sim.server import SimServer
from conductor.workflow.worker_prompt import worker_messages


def _msgs(task=MATH, subtask="Solve the problem.", visible=()):
    return worker_messages(task.question, subtask, list(visible))


def test_health_models_and_simulated_label(sim: SimServer, pool: PoolSpec) -> None:
    with urllib.request.urlopen(sim.root + "/health") as r:
        assert r.headers["X-Conductor-Simulated"] == "true"
    assert sim.url.endswith("/v1") and all(w.base_url == sim.url for w in sim.pool.workers)

    async def go():
        client = client_for(sim)
        models = await client.models.with_raw_response.list()
        assert models.headers["x-conductor-simulated"] == "true"
        data = models.parse().data
        assert sorted(m.id for m in data) == sorted(w.model for w in pool.workers)
        assert all(m.owned_by == "conductor-sim" and m.model_extra["simulated"] is True for m in data)

    asyncio.run(go())


def test_chat_completion_schema_and_usage(sim: SimServer, pool: PoolSpec) -> None:
    async def go():
        raw = await client_for(sim).chat.completions.with_raw_response.create(
            model=model_of(pool, 1), messages=_msgs(CODE), seed=3
        )
        assert raw.headers["x-conductor-simulated"] == "true"
        r = raw.parse()
        assert r.object == "chat.completion" and r.model == model_of(pool, 1) and r.id.startswith("chatcmpl-sim-")
        text = r.choices[0].message.content
        assert r.choices[0].finish_reason == "stop" and text.startswith("<idea>")
        assert "```python" in extract_answer(text)
        prompt_chars = sum(len(m["content"]) for m in _msgs(CODE))
        assert r.usage.prompt_tokens == pytest.approx(prompt_chars / 4, abs=1)
        assert r.usage.completion_tokens == pytest.approx(len(text) / 4, abs=1)
        assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens

    asyncio.run(go())


def _requests(pool: PoolSpec) -> list[tuple[str, list, int]]:
    out = []
    for i in range(40):
        task = TASKS[i % 3]
        out.append((model_of(pool, i % 5), _msgs(task), i))
        out.append((model_of(pool, i % 5), _msgs(task, "Check the answers above.", []), i))
    return out


async def _answers(server: SimServer, reqs, concurrent: bool) -> list[str]:
    client = client_for(server)

    async def one(req):
        model, msgs, seed = req
        r = await client.chat.completions.create(model=model, messages=msgs, seed=seed)
        return r.choices[0].message.content

    if concurrent:
        return list(await asyncio.gather(*(one(r) for r in reqs)))
    return [await one(r) for r in reqs]


def test_same_input_same_output_whatever_the_order(sim: SimServer, pool: PoolSpec) -> None:
    reqs = _requests(pool)
    order = list(range(len(reqs)))
    random.Random(1).shuffle(order)

    async def go():
        first = await _answers(sim, reqs, concurrent=False)
        with SimServer(pool, TASKS, seed=7) as fresh:  # a second process-like instance, same seed
            shuffled = await _answers(fresh, [reqs[k] for k in order], concurrent=True)
        with SimServer(pool, TASKS, seed=8) as other:
            reseeded = await _answers(other, reqs, concurrent=True)
        return first, shuffled, reseeded

    first, shuffled, reseeded = asyncio.run(go())
    assert [first[k] for k in order] == shuffled
    assert reseeded != first  # the server seed matters
    # the request seed matters: same message, different seeds -> both outcomes appear
    outcomes = {is_right(TASKS[i % 3], first[2 * i]) for i in range(40)}
    assert outcomes == {True, False}


def test_unknown_question_and_unknown_model(sim: SimServer, pool: PoolSpec) -> None:
    async def go():
        client = client_for(sim)
        msgs = worker_messages("What is the airspeed of an unladen swallow?", "Solve the problem.", [])
        r = await client.chat.completions.create(model=model_of(pool, 0), messages=msgs)
        text = r.choices[0].message.content
        assert "cannot answer" in text.lower() and extract_answer(text) is None
        with pytest.raises(openai.NotFoundError):
            await client.chat.completions.create(model="gpt-nonexistent", messages=msgs)

    asyncio.run(go())


def test_a_plain_question_is_answered_as_a_solve(sim: SimServer, pool: PoolSpec) -> None:
    async def go():
        client = client_for(sim)
        texts = [
            (
                await client.chat.completions.create(
                    model=model_of(pool, 0), messages=[{"role": "user", "content": SCIENCE.question}], seed=s
                )
            )
            .choices[0]
            .message.content
            for s in range(30)
        ]
        assert all(extract_answer(t) is not None for t in texts)
        assert any(is_right(SCIENCE, t) for t in texts)

    asyncio.run(go())


def test_max_tokens_cuts_the_reply(sim: SimServer, pool: PoolSpec) -> None:
    async def go():
        r = await client_for(sim).chat.completions.create(
            model=model_of(pool, 1), messages=_msgs(CODE), seed=1, max_tokens=5
        )
        assert r.choices[0].finish_reason == "length" and len(r.choices[0].message.content) <= 20

    asyncio.run(go())


def test_latency_is_injected(pool: PoolSpec) -> None:
    with SimServer(pool, TASKS, extra_latency_s=0.3) as server:

        async def go():
            start = time.monotonic()
            await client_for(server).chat.completions.create(model=model_of(pool, 0), messages=_msgs())
            return time.monotonic() - start

        assert asyncio.run(go()) >= 0.3


def _one(server: SimServer, pool: PoolSpec, seed: int = 0, **client_kw):
    async def go():
        client = client_for(server, **client_kw)
        return await client.chat.completions.with_raw_response.create(
            model=model_of(pool, 2), messages=_msgs(), seed=seed
        )

    return asyncio.run(go())


def test_fault_timeout_hangs_past_the_client_timeout(pool: PoolSpec) -> None:
    with SimServer(pool, TASKS, faults=FaultConfig.only("timeout", hang_s=60)) as server:
        start = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            _one(server, pool, timeout=0.5)
        assert time.monotonic() - start < 5
    # leaving the `with` shut the server down although a handler was hanging: we got here


def test_fault_timeout_with_a_short_hang_is_a_slow_answer(pool: PoolSpec) -> None:
    with SimServer(pool, TASKS, faults=FaultConfig.only("timeout", hang_s=0.3)) as server:
        start = time.monotonic()
        r = _one(server, pool, timeout=10).parse()
        assert time.monotonic() - start >= 0.3 and extract_answer(r.choices[0].message.content) is not None


def test_fault_rate_limit_sends_retry_after(pool: PoolSpec) -> None:
    with SimServer(pool, TASKS, faults=FaultConfig.only("rate_limit", retry_after_s=2)) as server:
        with pytest.raises(openai.RateLimitError) as err:
            _one(server, pool)
        assert err.value.status_code == 429
        assert err.value.response.headers["retry-after"] == "2"
        assert err.value.response.headers["x-conductor-simulated"] == "true"


def test_fault_server_error(pool: PoolSpec) -> None:
    with SimServer(pool, TASKS, faults=FaultConfig.only("server_error")) as server:
        with pytest.raises(openai.InternalServerError) as err:
            _one(server, pool)
        assert err.value.status_code == 500


@pytest.mark.parametrize("fault", ["empty", "garbage", "truncated"])
def test_content_faults(pool: PoolSpec, fault: str) -> None:
    with SimServer(pool, TASKS, faults=FaultConfig.only(fault)) as server:
        r = _one(server, pool).parse()
    text, finish = r.choices[0].message.content, r.choices[0].finish_reason
    assert extract_answer(text) is None
    if fault == "empty":
        assert text == "" and r.usage.completion_tokens == 0
    elif fault == "garbage":
        assert text.strip() and finish == "stop"
    else:
        assert finish == "length" and text and "</answer>" not in text


def test_a_retry_after_a_fault_gets_the_fault_free_answer(sim: SimServer, pool: PoolSpec) -> None:
    """Faults are redrawn per attempt and never change correctness: retry until success = no-fault answer."""
    faults = FaultConfig(rate_limit=0.3, server_error=0.2, garbage=0.2)
    with SimServer(pool, TASKS, seed=7, faults=faults) as faulty:

        async def go():
            clean, flaky = client_for(sim), client_for(faulty)
            kinds = set()
            for seed in range(12):
                msgs = _msgs(SCIENCE)
                want = await clean.chat.completions.create(model=model_of(pool, 0), messages=msgs, seed=seed)
                for _attempt in range(50):
                    try:
                        got = await flaky.chat.completions.create(model=model_of(pool, 0), messages=msgs, seed=seed)
                    except openai.APIStatusError as e:
                        kinds.add(e.status_code)
                        continue
                    if extract_answer(got.choices[0].message.content) is None:
                        kinds.add("garbage")
                        continue
                    break
                assert got.choices[0].message.content == want.choices[0].message.content
            return kinds

        kinds = asyncio.run(go())
    assert kinds == {429, 500, "garbage"}


def test_right_answer_is_what_the_verifier_format_expects(sim: SimServer, pool: PoolSpec) -> None:
    async def go():
        client = client_for(sim)
        for seed in range(40):
            r = await client.chat.completions.create(model=model_of(pool, 1), messages=_msgs(CODE), seed=seed)
            text = r.choices[0].message.content
            if is_right(CODE, text):
                return extract_answer(text)
        return None

    got = asyncio.run(go())
    assert got is not None and got.strip() == right_answer(CODE)
    assert CODE.answer.strip() in got
