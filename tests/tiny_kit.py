"""Prompts and workflows like the Conductor's compact ones, for building and checking a tiny model in tests.
Importable by name because tests/ (holding the root conftest) is on sys.path."""

from __future__ import annotations

import random
import re

from conductor.workflow.random_plans import random_workflow, random_workflow_texts

QUESTIONS = [
    "What is 17 * 23? Work in <idea> tags and give the final answer in <answer> tags.",
    "Which planet is the largest? A) Mars B) Jupiter C) Venus D) Earth",
    "Write a Python function that reverses a string.",
    "Solve x^2 - 5x + 6 = 0 and give both roots.",
    "What is the capital of France?",
    "How many primes are there below 30?",
]
PREFILL = "Plan:\n"
WARM_SETTINGS = ["tiny.sft_steps=300"]  # the run config the session's warm checkpoint is built and prompted with
POOL = list(range(7))


def messages(question: str, pool: list[int]) -> list[dict[str, str]]:
    """A short prompt in the spirit of the 'compact' template (kept short so the warm-start test is quick)."""
    models = " ".join(str(i) for i in pool)
    return [
        {"role": "system", "content": "You coordinate models."},
        {"role": "user", "content": f"Question: {question}\nModels: {models}\nWrite model_id, subtasks, access_list."},
    ]


def tokenizer_corpus() -> list[str]:
    texts = [m["content"] for q in QUESTIONS for m in messages(q, POOL)]
    return texts + random_workflow_texts(400, POOL, seed=123) + [PREFILL]


def examples(policy, n: int, seed: int = 0) -> list[tuple[str, str]]:
    """(prompt_text, completion_text) pairs over random sub-pools, as the warm start takes them."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        pool = sorted(rng.sample(POOL, rng.randint(2, len(POOL))))
        prompt = policy.render_prompt(messages(QUESTIONS[i % len(QUESTIONS)], pool), PREFILL)
        out.append((prompt, random_workflow(rng, pool).render()))
    return out


_STRICT = re.compile(
    r"^\s*model_id = \[(\d+(?:, \d+)*)\]\nsubtasks = \[(\"[^\"\n]+\"(?:, \"[^\"\n]+\")*)\]\n"
    r"access_list = \[((?:\[\]|\[\"all\"\])(?:, (?:\[\]|\[\"all\"\]))*)\]\s*$"
)


def parses(text: str, pool: list[int]) -> bool:
    """The project's parser when it is there; until then a strict check of the three equal-length lists."""
    try:
        from conductor.workflow.parse import parse_workflow
        from conductor.workflow.schema import WorkflowError
    except ImportError:
        m = _STRICT.match(text)
        if not m:
            return False
        ids = [int(x) for x in m.group(1).split(", ")]
        n_sub = len(re.findall(r"\"[^\"\n]+\"", m.group(2)))
        n_acc = len(re.findall(r"\[\]|\[\"all\"\]", m.group(3)))
        return all(i in pool for i in ids) and len(ids) == n_sub == n_acc <= 5
    try:
        parse_workflow(text, pool_ids=pool)
        return True
    except WorkflowError:
        return False
