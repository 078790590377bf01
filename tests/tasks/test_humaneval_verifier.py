"""All 164 HumanEval problems: every canonical solution passes the code verifier, every mutated one fails.

The slowest test of this package (two sandboxed runs per problem plus the mutation checks, in parallel
over the cores); the throughput figure lives in benchmarks/code_verifier.py, not here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from task_helpers import as_answer

from conductor.tasks.mutate import wrong_program
from conductor.tasks.sources import load_source
from conductor.tasks.verify import verify_many


@pytest.mark.slow
def test_canonical_pass_and_mutants_fail_on_all_164() -> None:
    tasks = load_source("humaneval")
    assert len(tasks) == 164
    with ThreadPoolExecutor() as ex:
        wrongs = list(ex.map(lambda t: wrong_program(t, 0), tasks))
    verdicts = verify_many(
        [(t, as_answer(t.answer)) for t in tasks] + [(t, as_answer(w)) for t, w in zip(tasks, wrongs, strict=False)]
    )
    right, wrong = verdicts[:164], verdicts[164:]
    failed = [(t.id, v.reason) for t, v in zip(tasks, right, strict=False) if not v.correct]
    assert failed == []
    passed = [t.id for t, v in zip(tasks, wrong, strict=False) if v.correct]
    assert passed == []
    assert all(w != t.answer for t, w in zip(tasks, wrongs, strict=False))
