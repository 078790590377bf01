"""How a worker's message is built: defined once, here (paper section 4, the authors' exact form in our words).

One user message, in this order:
  1. a preamble (you solve one subtask of a larger task; other agents' work may appear, tagged), then the
     full original question inside <overall_task> ... </overall_task>: every worker sees the question,
     even with an empty access list;
  2. for each visible earlier step, in order, its subtask and response tagged with that step's worker id;
     steps whose response is empty are skipped;
  3. in a recursion round, for a worker whose access is "all", the previous round's subtasks and responses;
  4. "Your assigned subtask: ...".
A short generic system message comes first, and a partial assistant turn "Let me solve this step by step."
last, as the authors' server does. Example (a step with worker 2 that sees one earlier step of worker 0):

    system:    You are a helpful assistant.
    user:      You are solving one subtask of a larger task. ...
               <overall_task>
               What is 2+2? ... <answer></answer> ...
               </overall_task>

               <Subtask assigned to Agent 0>
               Solve the problem.
               </Subtask assigned to Agent 0>
               <Agent 0 response>
               <idea>2+2=4</idea><answer>4</answer>
               </Agent 0 response>

               Your assigned subtask: Check the answer above and give the final answer.
    assistant: Let me solve this step by step.

The simulated pool parses exactly this format (conductor.sim), so change it here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_MESSAGE = "You are a helpful assistant."
ASSISTANT_PREFILL = "Let me solve this step by step."
PREAMBLE = (
    "You are solving one subtask of a larger task. Focus on your assigned subtask, and consult the overall "
    "task when you need context. Subtasks and answers from other agents may appear below, tagged by agent: "
    "use them, spot their mistakes and reuse their good ideas."
)
OVERALL_OPEN, OVERALL_CLOSE = "<overall_task>", "</overall_task>"
PREVIOUS_OPEN, PREVIOUS_CLOSE = "<previous_round>", "</previous_round>"
SUBTASK_PREFIX = "Your assigned subtask: "


@dataclass(frozen=True)
class SeenStep:
    """An earlier step as a worker sees it: the worker id it ran on, its subtask and its response."""

    worker: int
    subtask: str
    response: str


def _tagged(steps: list[SeenStep]) -> list[str]:
    out: list[str] = []
    for s in steps:
        if not s.response.strip():
            continue
        out.append(
            f"<Subtask assigned to Agent {s.worker}>\n{s.subtask}\n</Subtask assigned to Agent {s.worker}>\n"
            f"<Agent {s.worker} response>\n{s.response}\n</Agent {s.worker} response>"
        )
    return out


def worker_user_message(
    question: str, subtask: str, visible: list[SeenStep], previous_round: list[SeenStep] | None = None
) -> str:
    parts = [PREAMBLE, f"{OVERALL_OPEN}\n{question}\n{OVERALL_CLOSE}"]
    if previous_round:
        prev = _tagged(previous_round)
        if prev:
            parts.append(f"{PREVIOUS_OPEN}\n" + "\n".join(prev) + f"\n{PREVIOUS_CLOSE}")
    parts.extend(_tagged(visible))
    parts.append(f"{SUBTASK_PREFIX}{subtask}")
    return "\n\n".join(parts)


def worker_messages(
    question: str,
    subtask: str,
    visible: list[SeenStep],
    previous_round: list[SeenStep] | None = None,
    prefill: bool = True,
) -> list[dict[str, str]]:
    """The full chat a worker is sent."""
    msgs = [
        {"role": "system", "content": SYSTEM_MESSAGE},
        {"role": "user", "content": worker_user_message(question, subtask, visible, previous_round)},
    ]
    if prefill:
        msgs.append({"role": "assistant", "content": ASSISTANT_PREFILL})
    return msgs
