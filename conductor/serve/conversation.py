"""A conversation as the Conductor's question.

The Conductor is trained on single questions, so a conversation is read as one: the last user turn is the
question, verbatim (a prepared task's question asked alone is exactly that task's question), and anything
before it is kept as context *after* it, in a tagged block:

    <last user turn>

    <conversation_context>
    system: ...
    user: ...
    assistant: ...
    </conversation_context>

After, not before, so that a Conductor that reads only the head of the question (the tiny recipe crops it)
still reads the question itself; the workers get the whole text. Turns after the last user turn (a trailing
assistant prefill) are refused: there is no way to continue a partial answer through a workflow.
"""

from __future__ import annotations

from collections.abc import Sequence

from conductor.serve.schemas import Message

CONTEXT_OPEN = "<conversation_context>"
CONTEXT_CLOSE = "</conversation_context>"


class ConversationError(ValueError):
    """The messages cannot be read as a question (the message says why)."""


def question_of(messages: Sequence[Message]) -> str:
    """The question the Conductor is asked for `messages` (see the module doc)."""
    last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last is None:
        raise ConversationError("the conversation has no user message")
    if last != len(messages) - 1:
        raise ConversationError("the last message must be the user's: the Conductor answers the last user turn")
    question = str(messages[last].content)
    if not question.strip():
        raise ConversationError("the last user message is empty")
    earlier = [m for m in messages[:last] if str(m.content).strip()]
    if not earlier:
        return question
    context = "\n".join(f"{m.role}: {m.content}" for m in earlier)
    return f"{question}\n\n{CONTEXT_OPEN}\n{context}\n{CONTEXT_CLOSE}"
