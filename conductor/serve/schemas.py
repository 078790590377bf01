"""The request bodies the server accepts, as the OpenAI API defines them, and what it does with each field.

Used: `model`, `messages` / `input` (+ `instructions`), `stream`, `stream_options.include_usage`,
`temperature` and `seed` (they reach the Conductor: its sampling temperature, and the seed its samples and
every worker call derive from). Refused with 400, because honouring them is impossible here: `n` > 1,
`tools` / `functions` (non-empty), `logprobs`, `top_logprobs`, a `response_format` / `text.format` other than
plain text, `audio`, `previous_response_id`, `background`. Any other field (max_tokens, top_p, stop,
penalties, user, metadata, store, service_tier, reasoning, ...) is accepted and ignored: the answer's length
and style are the workers'. docs/serve.md has the same table.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["system", "developer", "user", "assistant"]
TEXT_PARTS = {"text", "input_text", "output_text"}


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or a list of text parts. Anything else raises ValueError."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            is_text = isinstance(part, dict) and part.get("type") in TEXT_PARTS and isinstance(part.get("text"), str)
            if not is_text:
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ValueError(f"only text content is supported, got a {kind!r} part")
            out.append(part["text"])
        return "".join(out)
    raise ValueError("content must be a string or a list of text parts")


class Message(BaseModel):
    """One chat turn; `content` is read as text (conductor.serve.conversation)."""

    model_config = ConfigDict(extra="allow")

    role: Role
    content: Any = ""

    @field_validator("content")
    @classmethod
    def _text(cls, v: Any) -> str:
        return content_text(v) if v is not None else ""


class _Common(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = None

    def refused(self) -> tuple[str, str] | None:
        """(param, reason) for a field set to something this server cannot honour, or None."""
        extra = self.model_extra or {}
        for name in ("tools", "functions"):
            if extra.get(name):
                return name, "tools and function calling are not supported: the Conductor answers with text"
        if extra.get("logprobs") or extra.get("top_logprobs"):
            return "logprobs", "log-probabilities are not available: the answer is a worker's text"
        if extra.get("audio"):
            return "audio", "audio output is not supported"
        return None


class ChatRequest(_Common):
    """POST /v1/chat/completions."""

    messages: list[Message] = Field(min_length=1)
    n: int = Field(default=1, ge=1)
    stream_options: dict[str, Any] | None = None

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.get("include_usage"))

    def refused(self) -> tuple[str, str] | None:
        if self.n != 1:
            return "n", "only n=1 is supported"
        fmt = (self.model_extra or {}).get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") not in (None, "text"):
            return "response_format", "only text responses are supported"
        return super().refused()


class ResponsesRequest(_Common):
    """POST /v1/responses (text input and output)."""

    input: str | list[Message] = Field(description="A string, or a list of message items.")
    instructions: str | None = None

    @field_validator("input")
    @classmethod
    def _not_empty(cls, v: str | list[Message]) -> str | list[Message]:
        if isinstance(v, list) and not v:
            raise ValueError("input must not be empty")
        return v

    @property
    def messages(self) -> list[Message]:
        turns = [Message(role="system", content=self.instructions)] if self.instructions else []
        if isinstance(self.input, str):
            return [*turns, Message(role="user", content=self.input)]
        return [*turns, *self.input]

    def refused(self) -> tuple[str, str] | None:
        extra = self.model_extra or {}
        if extra.get("previous_response_id"):
            return "previous_response_id", "responses are not stored: send the whole conversation as input"
        if extra.get("background"):
            return "background", "background responses are not supported"
        text = extra.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
        if isinstance(fmt, dict) and fmt.get("type") not in (None, "text"):
            return "text.format", "only text responses are supported"
        return super().refused()
