"""What one client can ask of the server: body size, conversation size, concurrent requests, time.

    limits = Limits(max_body_bytes=1_000_000, max_concurrent=64, ...)

- Body size: checked on Content-Length and again while the body is read (a client that lies or streams
  without a length is cut off at the limit): 413.
- Conversation: at most `max_messages` messages, each at most `max_message_chars` characters: 400.
- Concurrency: at most `max_concurrent` requests in progress (a stream counts until it ends); one more gets
  429 at once with `Retry-After`, rather than queueing behind work it cannot see.
- Time: a request still running after `request_timeout_s` is cancelled (its worker calls too): 504.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request

from conductor.serve.api_errors import ApiError, bad_request, server_full, too_large
from conductor.serve.schemas import Message


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 1_000_000
    max_messages: int = 64
    max_message_chars: int = 32_000
    max_concurrent: int = 64
    retry_after_s: int = 1
    request_timeout_s: float = 300.0


def check_messages(limits: Limits, messages: list[Message]) -> None:
    if len(messages) > limits.max_messages:
        raise bad_request(f"{len(messages)} messages; at most {limits.max_messages}", "messages", "too_many_messages")
    for i, m in enumerate(messages):
        if len(str(m.content)) > limits.max_message_chars:
            raise bad_request(
                f"message {i} has {len(str(m.content))} characters; at most {limits.max_message_chars}",
                f"messages[{i}].content",
                "message_too_long",
            )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to pass `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect as e:
        raise ApiError(400, "the client disconnected while sending the body") from e
    return b"".join(chunks)


class Gate:
    """Counts requests in progress; `enter` refuses (429) when `limit` are. Single event loop: no lock needed."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.in_flight = 0
        self.refused = 0

    def enter(self) -> None:
        if self.in_flight >= self.limits.max_concurrent:
            self.refused += 1
            raise server_full(self.limits.retry_after_s, self.limits.max_concurrent)
        self.in_flight += 1

    def leave(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)
