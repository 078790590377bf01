"""Server-sent events for a question being answered: the OpenAI chunk and event formats, fed by Progress.

Both streams read the request's StreamingProgress queue while the answer runs as a task:
  - a PlanEvent or StepEvent becomes a progress message with the event in its `conductor` field
    (chat: a chunk with no choices; responses: a `response.in_progress` event);
  - a TextEvent (a piece of the final step's text, as its worker streamed it) becomes a content delta
    (chat: `choices[0].delta.content`; responses: `response.output_text.delta`);
  - when the answer is done, whatever of it was not streamed (all of it, when the final text could not be
    streamed: an earlier round's answer kept, or the fallback) is sent as one more delta, then the finish
    (chat: finish_reason "stop" with the `conductor` extension, then the usage chunk if asked for, then
    `[DONE]`; responses: the text/part/item done events and `response.completed` with usage and extension).
A failure ends the stream with an error (chat: `{"error": ...}`, which the openai client raises as
APIError; responses: `response.failed`), naming the step that failed.

When the client goes away, Starlette cancels the stream; its `finally` cancels the answer task, which
cancels the worker calls in flight (their HTTP requests are closed), and frees the request's slot.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from conductor.serve.answer import Answered
from conductor.serve.progress import Event, StreamingProgress, TextEvent
from conductor.serve.shapes import chat_chunk, chat_usage, message_item, new_id, response_object, response_usage

Finish = Callable[[Answered], dict[str, Any]]  # the extension of a finished answer


def sse(data: dict[str, Any] | str, event: str | None = None) -> str:
    body = data if isinstance(data, str) else json.dumps(data)
    return (f"event: {event}\n" if event else "") + f"data: {body}\n\n"


def progress_of(event: Event) -> dict[str, Any]:
    kind = "plan" if event.__class__.__name__ == "PlanEvent" else "step"
    return {"event": kind, **dataclasses.asdict(event)}


async def events(task: asyncio.Task[Answered], progress: StreamingProgress) -> AsyncIterator[Event]:
    """The request's events as they happen, until the answer task ends (its result is then the task's)."""
    while True:
        getter = asyncio.ensure_future(progress.queue.get())
        try:
            done, _ = await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            getter.cancel()
            raise
        if getter in done:
            yield getter.result()
            continue
        getter.cancel()
        while not progress.queue.empty():
            yield progress.queue.get_nowait()
        return


def remainder(answered: Answered) -> str:
    """What of the answer was not streamed as it was produced."""
    if answered.streamed and answered.answer.startswith(answered.streamed):
        return answered.answer[len(answered.streamed) :]
    return answered.answer if not answered.streamed else ""


async def chat_stream(
    task: asyncio.Task[Answered],
    progress: StreamingProgress,
    model: str,
    include_usage: bool,
    finish: Finish,
    failure: Callable[[BaseException | Answered], dict[str, Any]],
) -> AsyncIterator[str]:
    cid = new_id("chatcmpl")
    yield sse(chat_chunk(cid, model, {"role": "assistant", "content": ""}))
    async for ev in events(task, progress):
        if isinstance(ev, TextEvent):
            yield sse(chat_chunk(cid, model, {"content": ev.text}))
        else:
            yield sse(chat_chunk(cid, model, conductor=progress_of(ev)))
    exc = task.exception()
    if exc is not None:
        yield sse(failure(exc))
        yield sse("[DONE]")
        return
    answered = task.result()
    if not answered.ok:
        yield sse(failure(answered))
        yield sse("[DONE]")
        return
    ext = finish(answered)
    rest = remainder(answered)
    if rest:
        yield sse(chat_chunk(cid, model, {"content": rest}))
    yield sse(chat_chunk(cid, model, {}, finish="stop", conductor=ext))
    if include_usage:
        yield sse(chat_chunk(cid, model, usage=chat_usage(ext)))
    yield sse("[DONE]")


async def responses_stream(
    task: asyncio.Task[Answered],
    progress: StreamingProgress,
    model: str,
    finish: Finish,
    failure: Callable[[BaseException | Answered], dict[str, Any]],
) -> AsyncIterator[str]:
    rid, item_id, created = new_id("resp"), new_id("msg"), int(time.time())
    seq = 0

    def event(kind: str, **fields: Any) -> str:
        nonlocal seq
        seq += 1
        return sse({"type": kind, "sequence_number": seq - 1, **fields}, event=kind)

    base = response_object(rid, model, "in_progress", created, item_id)
    yield event("response.created", response=base)
    opened = False

    def open_item() -> list[str]:
        return [
            event("response.output_item.added", output_index=0, item=message_item(item_id, "", "in_progress")),
            event(
                "response.content_part.added",
                item_id=item_id,
                output_index=0,
                content_index=0,
                part={"type": "output_text", "text": "", "annotations": [], "logprobs": []},
            ),
        ]

    def delta(text: str) -> str:
        return event(
            "response.output_text.delta", item_id=item_id, output_index=0, content_index=0, delta=text, logprobs=[]
        )

    async for ev in events(task, progress):
        if isinstance(ev, TextEvent):
            if not opened:
                opened = True
                for line in open_item():
                    yield line
            yield delta(ev.text)
        else:
            yield event("response.in_progress", response=base, conductor=progress_of(ev))
    exc = task.exception()
    answered = task.result() if exc is None else None
    if answered is None or not answered.ok:
        err = failure(exc if exc is not None else answered)  # type: ignore[arg-type]
        failed = response_object(rid, model, "failed", created, item_id, error=err["error"])
        if "conductor" in err:
            failed["conductor"] = err["conductor"]
        yield event("response.failed", response=failed)
        return
    ext = finish(answered)
    if not opened:
        for line in open_item():
            yield line
    rest = remainder(answered)
    if rest:
        yield delta(rest)
    text = answered.answer
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    yield event("response.output_text.done", item_id=item_id, output_index=0, content_index=0, text=text, logprobs=[])
    yield event("response.content_part.done", item_id=item_id, output_index=0, content_index=0, part=part)
    yield event("response.output_item.done", output_index=0, item=message_item(item_id, text, "completed"))
    done = response_object(rid, model, "completed", created, item_id, text, ext)
    done["usage"] = response_usage(ext)
    yield event("response.completed", response=done)
