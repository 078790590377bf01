"""The response objects of the OpenAI API that the server returns, built from an answered question.

Chat completions: `chat.completion` and its streamed `chat.completion.chunk`s. Responses: the `response`
object (one assistant message with one output_text part) and its stream events. Each carries the
`conductor` extension field (conductor.serve.report); the official clients keep unknown fields, so
`completion.conductor` (or `completion.model_extra["conductor"]`) reads it.
"""

from __future__ import annotations

import time
import uuid
from typing import Any


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def chat_usage(ext: dict[str, Any]) -> dict[str, int]:
    u = ext["usage"]
    return {
        "prompt_tokens": u["prompt_tokens"],
        "completion_tokens": u["completion_tokens"],
        "total_tokens": u["total_tokens"],
    }


def response_usage(ext: dict[str, Any]) -> dict[str, Any]:
    u = ext["usage"]
    return {
        "input_tokens": u["prompt_tokens"],
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": u["completion_tokens"],
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": u["total_tokens"],
    }


def chat_completion(cid: str, model: str, text: str, ext: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": chat_usage(ext),
        "conductor": ext,
    }


def chat_chunk(
    cid: str,
    model: str,
    delta: dict[str, Any] | None = None,
    finish: str | None = None,
    conductor: dict[str, Any] | None = None,
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A chunk: with `delta` one choice, else none (a usage chunk, or a progress chunk)."""
    out: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
    out["choices"] = (
        [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}] if delta is not None else []
    )
    if usage is not None:
        out["usage"] = usage
    if conductor is not None:
        out["conductor"] = conductor
    return out


def message_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    parts = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}] if status == "completed" else []
    return {"type": "message", "id": item_id, "status": status, "role": "assistant", "content": parts}


def response_object(
    rid: str,
    model: str,
    status: str,
    created: int,
    item_id: str,
    text: str = "",
    ext: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rid,
        "object": "response",
        "created_at": created,
        "status": status,
        "model": model,
        "output": [message_item(item_id, text, "completed")] if status == "completed" else [],
        "error": error,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "parallel_tool_calls": False,
        "tool_choice": "none",
        "tools": [],
        "temperature": None,
        "top_p": None,
        "text": {"format": {"type": "text"}},
        "usage": response_usage(ext) if ext is not None else None,
    }
    if ext is not None:
        out["conductor"] = ext
    return out
