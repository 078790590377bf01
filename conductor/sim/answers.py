"""What a simulated worker writes: a right or a plausible wrong answer in the tasks' answer format.

Replies look like a real model's, "<idea>short reasoning</idea>\\n<answer>X</answer>", so the real verifiers
and parsers are exercised:
  math   right X = the reference; wrong X = a nearby value (the reference with one number shifted);
  choice right X = the reference letter; wrong X = another option's letter;
  code   right X = the reference program in a ```python block; wrong X = a program that fails the tests
         (conductor.tasks.mutate.wrong_program when it exists, else a stub that returns None).
The simulator also judges the earlier answers it is shown by comparing their <answer> with the form it
renders itself (normalised), which is exact because it wrote them.
"""

from __future__ import annotations

import logging
import re

from conductor.tasks.schema import Task

log = logging.getLogger(__name__)

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_INT = re.compile(r"-?\d{1,18}")
_FRACTION = re.compile(r"(-?\d+)\s*/\s*(\d+)")
_SHIFTS = (1, -1, 2, -2, 3, 10)
CODE_VARIANTS = 4  # few: a wrong program costs sandbox runs the first time (conductor.tasks.mutate caches it)


def extract_answer(text: str) -> str | None:
    """The first <answer>...</answer> span (what the verifiers grade), or None."""
    m = _ANSWER.search(text or "")
    return m.group(1) if m else None


def normalise(answer: str) -> str:
    """Whitespace-insensitive, case-insensitive form for comparing the simulator's own renderings."""
    return re.sub(r"\s+", "", answer).lower()


def code_block(program: str) -> str:
    return f"```python\n{program.strip()}\n```"


def right_answer(task: Task) -> str:
    """The X of a correct reply's <answer>X</answer>."""
    if task.verifier == "code":
        return code_block(task.answer)
    if task.verifier == "choice":
        return task.answer.strip().upper()
    return task.answer.strip()


def is_right(task: Task, response: str) -> bool:
    """Whether an earlier response's <answer> is the right one (normalised compare)."""
    got = extract_answer(response)
    return got is not None and normalise(got) == normalise(right_answer(task))


def choice_letters(task: Task) -> list[str]:
    """The option letters of a multiple-choice task (from verifier_data['choices'] when given, else A-D)."""
    choices = task.verifier_data.get("choices") or task.verifier_data.get("options")
    if isinstance(choices, dict) and choices:
        return [str(k).strip().upper() for k in choices]
    if isinstance(choices, (list, tuple)) and len(choices) >= 2:
        return [chr(ord("A") + i) for i in range(len(choices))]
    return ["A", "B", "C", "D"]


def _wrong_choice(task: Task, variant: int) -> str:
    ref = task.answer.strip().upper()
    others = [c for c in choice_letters(task) if c != ref] or [c for c in "ABCD" if c != ref]
    return others[variant % len(others)]


def _shift_first_number(ref: str, shift: int) -> str:
    """The reference with its first number moved by `shift`: '\\frac{3}{4}' -> '\\frac{4}{4}'."""
    m = _NUMBER.search(ref)
    if not m:
        return f"{ref}+{abs(shift)}"
    text = m.group(0)
    if "." in text:
        decimals = len(text.split(".")[1])
        new = f"{float(text) + shift:.{decimals}f}"
    else:
        new = str(int(text) + shift)
    return ref[: m.start()] + new + ref[m.end() :]


def _wrong_math(task: Task, variant: int) -> str:
    ref = task.answer.strip()
    shift = _SHIFTS[variant % len(_SHIFTS)]
    if _INT.fullmatch(ref.replace(",", "")):
        cand = str(int(ref.replace(",", "")) + shift)
    elif (fm := _FRACTION.fullmatch(ref)) and int(fm.group(2)) != 0:
        cand = f"{int(fm.group(1)) + shift}/{fm.group(2)}"
    else:
        cand = _shift_first_number(ref, shift)
    if normalise(cand) == normalise(ref):  # cannot happen for a non-zero shift, but never return the reference
        cand = f"{ref}+1"
    return cand


def fallback_wrong_program(task: Task, variant: int) -> str:
    """A program with the task's entry point that fails any meaningful test (used until mutate exists)."""
    entry = task.verifier_data.get("entry_point")
    if not entry:
        m = re.search(r"^def\s+([A-Za-z_]\w*)\s*\(", task.answer, re.MULTILINE)
        entry = m.group(1) if m else "solution"
    bodies = ("return None", "raise NotImplementedError('not solved')", "return None  # TODO")
    return f"def {entry}(*args, **kwargs):\n    {bodies[variant % len(bodies)]}\n"


def wrong_program(task: Task, variant: int) -> str:
    """A wrong program: the mutation engineer's when available (it fails the real tests), else our stub."""
    try:
        from conductor.tasks.mutate import wrong_program as mutate  # lazy: another package, may not exist yet
    except ImportError:
        return fallback_wrong_program(task, variant)
    try:
        return mutate(task, variant)
    except Exception:  # a mutation that fails must not take the simulated pool down mid-training
        log.warning("conductor.tasks.mutate.wrong_program failed for %s; using the stub", task.id, exc_info=True)
        return fallback_wrong_program(task, variant)


def wrong_answer(task: Task, variant: int) -> str:
    """The X of a wrong reply: deterministic in `variant`, never the reference."""
    if task.verifier == "code":
        return code_block(wrong_program(task, variant % CODE_VARIANTS))
    if task.verifier == "choice":
        return _wrong_choice(task, variant)
    return _wrong_math(task, variant)


_SOLVE_IDEAS = {
    "math": (
        "I set up the relevant quantities and work through the algebra step by step.",
        "Breaking the problem into smaller parts and combining the results gives the value below.",
        "Applying the standard method for this kind of problem and simplifying carefully.",
    ),
    "science": (
        "I recall the underlying principle and eliminate the options that contradict it.",
        "Reasoning from first principles, only one option is consistent with the facts.",
        "Comparing each option against what I know about the topic.",
    ),
    "code": (
        "I handle the edge cases first, then implement the main loop.",
        "A direct implementation following the specification and examples.",
        "I translate the docstring into code, keeping the function signature.",
    ),
}
_REVIEW_IDEAS = (
    "I checked the {n} earlier answer(s) against the problem before settling on mine.",
    "Reviewing the previous work, I verify each step and keep the answer that holds up.",
    "Comparing the earlier responses with my own reasoning.",
)


def verdict_text(agreed_with: int | None) -> str:
    """What a review says of the answers it saw: agreement names the agent, disagreement names none."""
    if agreed_with is None:
        return "Verdict: I disagree with the answers above."
    return f"Verdict: I agree with Agent {agreed_with}."


def reply_text(
    task: Task,
    answer: str,
    reviewing: int,
    wording: int,
    confidence: str | None = None,
    verdict: str | None = None,
) -> str:
    """A full reply: a short <idea> (its wording varies with the draw) and the <answer>. The irt model adds a
    review's verdict and a stated confidence to the idea (docs/simulator.md); without them the text is the
    first simulator's, exactly."""
    if reviewing:
        idea = _REVIEW_IDEAS[wording % len(_REVIEW_IDEAS)].format(n=reviewing)
    else:
        ideas = _SOLVE_IDEAS.get(task.domain, _SOLVE_IDEAS["math"])
        idea = ideas[wording % len(ideas)]
    if verdict:
        idea = f"{idea} {verdict}"
    if confidence:
        idea = f"{idea} Confidence: {confidence}."
    return f"<idea>{idea}</idea>\n<answer>{answer}</answer>"


_CONFIDENCE = re.compile(r"Confidence:\s*(high|medium|low)\b", re.IGNORECASE)
_VERDICT = re.compile(r"Verdict: I (agree|disagree)\b")


def stated_confidence(text: str) -> str | None:
    """The confidence a simulated reply states ('high', 'medium', 'low'), or None."""
    m = _CONFIDENCE.search(text or "")
    return m.group(1).lower() if m else None


def stated_verdict(text: str) -> str | None:
    """'agree' or 'disagree' when a simulated review says so, else None."""
    m = _VERDICT.search(text or "")
    return m.group(1) if m else None
