"""Synthetic workers: their descriptions say what their profiles hold, and the pools they make are usable."""

from __future__ import annotations

import re

from conductor.sim.generator import DOMAINS, RELIABLE_JUDGE, draw_pool, skill_word
from conductor.sim.oracle import oracle, single_worker_accuracy

_NOUNS = {"math": "math", "science": "science multiple choice", "code": "writing code"}


def _said_skill(description: str, domain: str) -> str:
    """Read the skill word for a domain back out of a description (independent of how it was written)."""
    for clause in description.removeprefix("Simulated model: ").split(".")[0].split("; "):
        word, _, rest = clause.partition(" at ")
        if re.search(rf"(^|, | and ){re.escape(_NOUNS[domain])}($|,| and)", rest):
            return word
    raise AssertionError(f"{domain} not described in {description!r}")


def test_descriptions_match_the_profiles_they_come_from() -> None:
    for seed in range(40):
        for w in draw_pool(seed, n=5).workers:
            assert w.sim is not None
            for d in DOMAINS:
                assert _said_skill(w.description, d) == skill_word(w.sim.skill[d]), (w.description, w.sim)
            checks = {d for d in DOMAINS if w.sim.judge[d] >= RELIABLE_JUDGE}
            said = re.search(r"A reliable checker of (.*?) answers\.", w.description)
            assert (set(re.split(r", | and ", said.group(1))) if said else set()) == checks
            assert ("Slow" in w.description or "slow." in w.description) == (w.sim.latency_s >= 0.02)


def test_pools_are_deterministic_and_usable_by_the_oracle() -> None:
    a, b = draw_pool(7), draw_pool(7)
    assert a == b and draw_pool(8) != a
    assert len({w.model for w in a.workers}) == len(a.workers)
    more = draw_pool(9, n=3, first_id=10)
    assert more.ids == (10, 11, 12)
    for d in DOMAINS:  # a specialty skill per worker, so the oracle has something to coordinate
        assert oracle(a, d, max_steps=3, level=4).accuracy >= max(single_worker_accuracy(a, d, 4).values())
