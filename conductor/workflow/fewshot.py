"""The four few-shot examples in the Conductor's paper-template prompt (paper section 3), written by us.

The paper shows four completions from tasks OUTSIDE its training domains (two Countdown, one medical, one deep
math) and finds that out-of-domain examples beat in-domain ones. Ours follow the same rule: none is an
arithmetic word problem, a multiple-choice science question or a coding task, which are our training domains.
Together they show the three topologies the paper names, with different step counts and workers:
  1. Countdown: attempt -> check -> refine (3 steps, a chain of "all");
  2. medicine: two independent answers -> a checker (3 steps: [], [], ["all"]);
  3. a number-theory proof: a 4-step mix (plan and an independent attempt, then a writer and a verifier);
  4. a chessboard puzzle: solve -> a short format check (2 steps), so that short plans are seen too.
The worker ids are illustrative; the prompt says so, since a random sub-pool may not offer them.
"""

from __future__ import annotations

from dataclasses import dataclass

from conductor.workflow.schema import Step, Workflow


@dataclass(frozen=True)
class FewShot:
    """One example: the question, the Conductor's short reasoning, and the workflow it wrote."""

    question: str
    reasoning: str
    workflow: Workflow

    def render(self) -> str:
        return f"Question: {self.question}\nReasoning: {self.reasoning}\n{self.workflow.render()}"


def _wf(*steps: tuple[int, str, str]) -> Workflow:
    return Workflow(steps=tuple(Step(worker=w, subtask=s, access=a) for w, s, a in steps))  # type: ignore[arg-type]


EXAMPLES: tuple[FewShot, ...] = (
    FewShot(
        question="Countdown: using each of the numbers 3, 7, 25 and 50 at most once, with + - * and /, reach 178.",
        reasoning=(
            "A search problem: one model proposes an expression, a second checks every number and operation, "
            "and a third fixes any error and states the result. Each later step must see the earlier ones."
        ),
        workflow=_wf(
            (2, "Find an expression that reaches 178 using 3, 7, 25 and 50 at most once each. Show the steps.", "none"),
            (0, "Check the expression above: is each number used at most once, and does it equal 178?", "all"),
            (
                1,
                "Using the attempt and the check above, give a correct expression for 178. "
                "Put it in <answer></answer>.",
                "all",
            ),
        ),
    ),
    FewShot(
        question=(
            "A 58-year-old man has sudden tearing chest pain that spreads to his back, and his blood pressure "
            "differs by 30 mmHg between the arms. What is the most likely diagnosis, and which imaging test "
            "comes first?"
        ),
        reasoning=(
            "Two models answer independently so their errors are not shared; a third compares them, resolves "
            "any disagreement and gives the final answer."
        ),
        workflow=_wf(
            (1, "Give the most likely diagnosis and the first imaging test, with your reasoning.", "none"),
            (4, "Give the most likely diagnosis and the first imaging test, with your reasoning.", "none"),
            (
                0,
                "Compare the two answers above, decide which is right and why, and give the final diagnosis and "
                "imaging test in <answer></answer>.",
                "all",
            ),
        ),
    ),
    FewShot(
        question="Prove that there are infinitely many primes of the form 4k + 3.",
        reasoning=(
            "A proof benefits from a plan and an independent attempt, then a careful write-up, then a verifier "
            "that looks for gaps and states the finished proof. Four steps."
        ),
        workflow=_wf(
            (3, "Outline a proof strategy: which construction or contradiction argument fits this claim?", "none"),
            (2, "Write a complete proof of the claim.", "none"),
            (
                4,
                "Using the outline and the attempt above, write a rigorous proof. Justify each step, in particular "
                "why some prime factor must be of the form 4k + 3.",
                "all",
            ),
            (
                0,
                "Check the proofs above for gaps or errors, fix any you find, and give the final proof in "
                "<answer></answer>.",
                "all",
            ),
        ),
    ),
    FewShot(
        question="What is the smallest number of moves a knight needs to go from a1 to h8 on an empty chessboard?",
        reasoning="One strong model can solve this; a cheap second step checks the count and the answer format.",
        workflow=_wf(
            (2, "Find the minimum number of knight moves from a1 to h8 and show one shortest path.", "none"),
            (3, "Verify the path above move by move, then give the number in <answer></answer>.", "all"),
        ),
    ),
)


def render_examples(examples: tuple[FewShot, ...] = EXAMPLES) -> str:
    return "\n\n".join(f"Example {i + 1}\n{ex.render()}" for i, ex in enumerate(examples))
