"""The server's pure parts: a conversation as a question, the key check, refused fields, the final-step
streaming rules, the batcher's scheduling (no server needed)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from conductor.policy.generation import Generation
from conductor.pool.client import CallResult
from conductor.seeds import round_seed, step_seed
from conductor.serve.auth import AuthSetupError, authorized, server_key
from conductor.serve.batching import Batcher
from conductor.serve.conversation import ConversationError, question_of
from conductor.serve.progress import StreamingProgress, TextEvent
from conductor.serve.schemas import ChatRequest, Message, ResponsesRequest


def test_the_last_user_turn_is_the_question_and_earlier_turns_follow_it():
    alone = [Message(role="user", content="What is 2 + 2?")]
    assert question_of(alone) == "What is 2 + 2?"
    turns = [
        Message(role="system", content="Be brief."),
        Message(role="user", content="Hi"),
        Message(role="assistant", content="Hello!"),
        Message(role="user", content=[{"type": "text", "text": "What is 2 + 2?"}]),
    ]
    q = question_of(turns)
    assert q.startswith("What is 2 + 2?\n\n<conversation_context>\nsystem: Be brief.\nuser: Hi\nassistant: Hello!")
    with pytest.raises(ConversationError):
        question_of([Message(role="user", content="Q"), Message(role="assistant", content="A")])
    with pytest.raises(ValueError):
        Message(role="user", content=[{"type": "image_url", "image_url": {"url": "x"}}])


def test_key_needed_unless_no_auth_on_loopback(monkeypatch):
    monkeypatch.delenv("SERVE_TEST_KEY", raising=False)
    with pytest.raises(AuthSetupError):
        server_key("SERVE_TEST_KEY", no_auth=False, host="127.0.0.1")
    with pytest.raises(AuthSetupError):
        server_key("SERVE_TEST_KEY", no_auth=True, host="0.0.0.0")
    assert server_key("SERVE_TEST_KEY", no_auth=True, host="::1") is None
    monkeypatch.setenv("SERVE_TEST_KEY", "s3cret")
    key = server_key("SERVE_TEST_KEY", no_auth=False, host="0.0.0.0")
    assert authorized(key, "Bearer s3cret") and authorized(key, "bearer s3cret")
    assert not authorized(key, "Bearer s3cre") and not authorized(key, None) and not authorized(key, "Basic s3cret")


def test_refused_and_ignored_fields():
    ok = ChatRequest.model_validate({"model": "m", "messages": [{"role": "user", "content": "q"}], "max_tokens": 5})
    assert ok.refused() is None
    tools = {"model": "m", "messages": [{"role": "user", "content": "q"}], "tools": [{"type": "function"}]}
    assert ChatRequest.model_validate(tools).refused()[0] == "tools"
    r = ResponsesRequest.model_validate({"model": "m", "input": "q", "previous_response_id": "resp_1"})
    assert r.refused()[0] == "previous_response_id"
    r = ResponsesRequest.model_validate({"model": "m", "input": "q", "instructions": "Be brief."})
    assert [m.role for m in r.messages] == ["system", "user"]


def test_final_step_text_waits_for_the_other_steps_and_is_dropped_if_one_fails():
    p = StreamingProgress(seed=3, extra_rounds=0)
    text = 'model_id = [1, 2]\nsubtasks = ["a", "b"]\naccess_list = [[], []]'
    p.planned(0, text, 1)
    exec_seed = round_seed(3, 0)
    final = p.stream_target(step_seed(exec_seed, 1))
    assert final is not None and p.stream_target(step_seed(exec_seed, 0)) is None
    final("The ans")  # the final step streams while step 0 still runs: held back
    assert p.streamed == ""
    p.finished(1, step_seed(exec_seed, 0), CallResult(text="x"))
    final("wer")
    assert p.streamed == "The answer"
    events = [p.queue.get_nowait() for _ in range(p.queue.qsize())]
    assert [e.text for e in events if isinstance(e, TextEvent)] == ["The ans", "wer"]

    q = StreamingProgress(seed=3, extra_rounds=0)
    q.planned(0, text, 1)
    q.stream_target(step_seed(exec_seed, 1))("partial")  # type: ignore[misc]
    q.finished(1, step_seed(exec_seed, 0), CallResult(error="server error (500) after 3 attempts"))
    assert q.streamed == ""  # a workflow that failed shows no text


def test_only_the_last_round_streams():
    p = StreamingProgress(seed=0, extra_rounds=1)
    p.planned(0, 'model_id = [1]\nsubtasks = ["a"]\naccess_list = [[]]', 1)
    assert p.stream_target(step_seed(round_seed(0, 0), 0)) is None
    p.planned(1, 'model_id = [2]\nsubtasks = ["b"]\naccess_list = [["all"]]', 1)
    assert p.stream_target(step_seed(round_seed(0, 1), 0)) is not None


class SlowPolicy:
    """Stands in for Policy.generate where the batcher's scheduling is under test, not the model: every call
    takes 0.3 s (the loop must not wait on it), records its prompts and the thread it ran on."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.threads: set[str] = set()

    def generate(self, prompts: list[str], n: int, temperature: float, max_new_tokens: int, seed: int) -> list:
        self.threads.add(threading.current_thread().name)
        self.calls.append(list(prompts))
        time.sleep(0.3)
        return [[Generation(text=f"{p}!", token_ids=[1], logprobs=[0.0], finish_reason="stop")] for p in prompts]


def test_batches_follow_each_other_off_the_loop_and_a_re_ask_joins_the_next():
    """What arrives while a batch generates is the next batch, started as soon as it ends, and a request the
    first batch answered that asks again at once (a plan that did not parse) is in it too, not a third."""
    policy = SlowPolicy()

    async def main() -> int:
        batcher = Batcher(policy, window_s=0.01, max_batch=64)  # type: ignore[arg-type]
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async def ask(prompt: str, again: bool = False) -> str:
            sampled = await batcher.generate(prompt, 0.2, 8, 0)
            if again:
                sampled = await batcher.generate(f"{prompt}-again", 0.2, 8, 1)
            return sampled.generation.text

        tick = asyncio.create_task(ticker())
        first = [asyncio.create_task(ask(f"a{i}", again=i == 0)) for i in range(3)]
        await asyncio.sleep(0.05)  # the first batch is generating
        late = [asyncio.create_task(ask(f"b{i}")) for i in range(2)]
        texts = await asyncio.gather(*first, *late)
        tick.cancel()
        await batcher.aclose()
        assert texts == ["a0-again!", "a1!", "a2!", "b0!", "b1!"]
        return ticks

    ticks = asyncio.run(main())
    assert policy.calls == [["a0", "a1", "a2"], ["b0", "b1", "a0-again"]]
    assert len(policy.threads) == 1 and policy.threads.pop().startswith("conductor-generate")
    assert ticks >= 20  # the loop kept turning through 0.6 s of generation
