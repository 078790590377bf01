"""What the Conductor is shown: chat messages and the text its assistant turn starts with (paper section 3).

Two templates:
  - "paper": the job, what a step is, how the plan runs, the three-list output, four few-shot examples
    (fewshot.py), then `USER QUESTION:` ... `END OF USER QUESTION`, then `AVAILABLE LANGUAGE MODELS:` and
    one line per worker. Our own words for the authors' prompt.
  - "compact": the same contract in a few lines and no examples, for the tiny CPU model, whose context and
    capacity are small.
Two pool modes: "ids" shows `Model id 3` only (the paper: the Conductor learns from reward what each id is
good at); "descriptions" shows `Model id 3: <description>` (our departure, off by default).

If the pool names the Conductor itself (`PoolSpec.conductor_id`), one more line offers it: a step given to
it becomes a question for a nested workflow (rounds.py). That line says what it is in both modes, since
nothing could be learned about an id that changes meaning with the depth of nesting.

Returned messages are system + user (+ the earlier turns in recursion); the prefill is returned apart so the
caller appends it to a generation prompt and the model continues it.

`PromptSettings.from_config` is the one place a run config becomes prompt options (template, mode, step
limit, and the tiny recipe's question cropping); training, evaluation, the warm start and `conductor ask`
all prompt through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conductor.config import RunConfig
from conductor.pool.spec import PoolSpec
from conductor.workflow.fewshot import render_examples
from conductor.workflow.schema import MAX_STEPS

Mode = Literal["ids", "descriptions"]
Template = Literal["paper", "compact"]
Messages = list[dict[str, str]]

ANSWER_LIMIT_CHARS = 16_000  # the authors crop the previous answer to about 4k tokens

SYSTEM = (
    "You are the Conductor. You reason about how to coordinate a team of language models with different "
    "skills, then write a plan of steps for them."
)
PREFILL = (
    "Let me think about which subtasks this question needs, which model should take each one, and what each "
    "step should be allowed to see."
)
RECURSION_PREFILL = "Let me check whether the previous answer is right and whether my previous strategy needs changes."

_PAPER = """Your job: answer the user's question by querying several language models with different skills, in \
at most {n} routing steps. You do not answer the question yourself: you write the plan.

A step has three parts: a model (given by its id), a subtask (the instruction that model receives) and an \
access list (which earlier steps it may read). A subtask may ask for a solution from scratch, a check or a \
refinement of an earlier answer, a plan, or any other helper task.

How the plan runs: every model sees the user question and its own subtask. A model whose access list is \
["all"] also sees the subtasks and answers of every earlier step; a model whose access list is [] sees nothing \
earlier, so steps with [] can work independently. The steps run in order and the last step's answer goes to \
the user, so the last step must give the final answer in the format the question asks for.

Think first, then end with exactly three Python lists of the same length, one entry per step:
model_id = [...]     the model id for each step (an integer from the list of available models)
subtasks = [...]     the instruction for each step, as strings
access_list = [...]  ["all"] or [] for each step

Examples from other kinds of tasks (the model ids in them are only illustrative):

{examples}

USER QUESTION:
{question}
END OF USER QUESTION

AVAILABLE LANGUAGE MODELS:
{pool}"""

_COMPACT = """Plan how a team of models answers the question, in at most {n} steps. Write three lists of equal \
length, one entry per step:
model_id = [model ids]
subtasks = ["instruction", ...]
access_list = [["all"] or [] per step]
["all"]: the step also sees every earlier step's subtask and answer. []: it sees only the question. The last \
step's answer is the final answer.

USER QUESTION:
{question}
END OF USER QUESTION

AVAILABLE LANGUAGE MODELS:
{pool}"""

_RECURSION = """Your workflow above was run. Its final answer was:
<previous_answer>
{answer}
</previous_answer>

Improve or verify this answer with a new workflow of at most {n} steps, in the same format. In the new \
workflow a step with ["all"] also sees every subtask and answer of the previous workflow. If the answer should \
stand, accept it by returning three empty lists:
model_id = []
subtasks = []
access_list = []"""


def pool_lines(pool: PoolSpec, mode: Mode = "ids") -> str:
    """One line per worker, in id order; plus the Conductor itself when the pool offers it."""
    lines = []
    for w in sorted(pool.workers, key=lambda w: w.id):
        desc = w.description.strip()
        lines.append(f"Model id {w.id}: {desc}" if mode == "descriptions" and desc else f"Model id {w.id}")
    cid = pool.conductor_id
    if cid is not None:
        lines.append(
            f"Model id {cid}: yourself, the Conductor (its subtask, written as a self-contained question, is "
            "planned by you as a nested workflow)"
        )
    return "\n".join(lines)


def crop(text: str, limit: int = ANSWER_LIMIT_CHARS) -> str:
    """Keep the head and the tail (where the <answer> usually is) of an over-long text, marking the cut."""
    if len(text) <= limit:
        return text
    head = limit // 4
    tail = limit - head
    return f"{text[:head]}\n[... {len(text) - limit} characters cropped ...]\n{text[-tail:]}"


def user_prompt(
    question: str, pool: PoolSpec, mode: Mode = "ids", template: Template = "paper", max_steps: int = MAX_STEPS
) -> str:
    if template not in ("paper", "compact"):
        raise ValueError(f"unknown prompt template {template!r} (use 'paper' or 'compact')")
    if mode not in ("ids", "descriptions"):
        raise ValueError(f"unknown prompt mode {mode!r} (use 'ids' or 'descriptions')")
    form = _PAPER if template == "paper" else _COMPACT
    return form.format(
        n=max_steps,
        examples=render_examples() if template == "paper" else "",
        question=question.strip(),
        pool=pool_lines(pool, mode),
    )


def build_messages(
    question: str,
    pool: PoolSpec,
    mode: Mode = "ids",
    template: Template = "paper",
    max_steps: int = MAX_STEPS,
    question_chars: int = 0,
) -> tuple[Messages, str]:
    """The first-round prompt: [system, user] and the assistant prefill.

    question_chars > 0 shows the Conductor only the question's head and tail (ours, for the tiny CPU model,
    whose cost grows with the prompt); workers always get the whole question."""
    if question_chars > 0:
        question = crop(question, question_chars)
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": user_prompt(question, pool, mode, template, max_steps)},
    ]
    return messages, PREFILL


def build_recursion_messages(
    question: str,
    pool: PoolSpec,
    previous_completion: str,
    previous_answer: str,
    mode: Mode = "ids",
    template: Template = "paper",
    max_steps: int = MAX_STEPS,
    answer_limit: int = ANSWER_LIMIT_CHARS,
    question_chars: int = 0,
) -> tuple[Messages, str]:
    """A recursion round (paper section 7): the first prompt, the previous plan as the assistant's earlier
    turn (pass the prefill plus what was generated, as the model wrote it), then the previous answer, cropped,
    with the instruction to improve or verify it, or to accept it with three empty lists."""
    messages, _ = build_messages(question, pool, mode, template, max_steps, question_chars)
    messages.append({"role": "assistant", "content": previous_completion})
    instruction = _RECURSION.format(answer=crop(previous_answer, answer_limit), n=max_steps)
    messages.append({"role": "user", "content": instruction})
    return messages, RECURSION_PREFILL


@dataclass(frozen=True)
class PromptSettings:
    """How the Conductor is prompted, as one value. `question_chars` > 0 is the tiny recipe's cropping."""

    mode: Mode = "ids"
    template: Template = "paper"
    max_steps: int = MAX_STEPS
    question_chars: int = 0
    answer_limit: int = ANSWER_LIMIT_CHARS

    @classmethod
    def from_config(cls, cfg: RunConfig) -> PromptSettings:
        """The run's prompt: its template, pool mode and step limit; the question cropped only by the tiny recipe."""
        return cls(
            mode=cfg.policy.prompt_mode,
            template=cfg.policy.prompt_template,
            max_steps=cfg.rollout.max_steps,
            question_chars=cfg.tiny.question_chars if cfg.tiny is not None else 0,
        )

    @property
    def first_prefill(self) -> str:
        """The text the first round's assistant turn opens with (the Conductor's plan continues it)."""
        return PREFILL

    def first_round(self, question: str, pool: PoolSpec) -> tuple[Messages, str]:
        """The first round's messages and prefill (`build_messages`)."""
        return build_messages(question, pool, self.mode, self.template, self.max_steps, self.question_chars)

    def later_round(
        self, question: str, pool: PoolSpec, previous_plan: str, previous_answer: str
    ) -> tuple[Messages, str]:
        """A later round's messages and prefill (`build_recursion_messages`): `previous_plan` is the earlier
        assistant turn as the Conductor wrote it (its prefill and completion)."""
        return build_recursion_messages(
            question,
            pool,
            previous_plan,
            previous_answer,
            self.mode,
            self.template,
            self.max_steps,
            self.answer_limit,
            self.question_chars,
        )
