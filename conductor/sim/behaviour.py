"""The simulated pool's probability model: the one place its numbers live.

The server (what a worker answers) and the oracle (the best any workflow can expect) both call
`p_correct`, so they cannot drift apart. For a request to worker w on a task of domain d:

  s = skill[w][d], halved when the subtask is unfocused (conductor.sim.roles)
  j = judge[w][d]
  solve, or review with no visible candidates  -> P(correct) = s
  review, at least one visible candidate right -> P(correct) = j + (1 - j) * s
  review, visible candidates all wrong         -> P(correct) = j * s
      (with prob. j it sees they are all wrong and solves fresh; otherwise it copies a wrong one)

A domain missing from a profile counts as probability 0 (the worker cannot do it at all).

The draw is a hash, not a random generator, so an answer depends only on its inputs and never on the order
or concurrency of calls: u = H(server seed, request seed, model, messages) in [0, 1), correct iff u < p.
Independent quantities (the wrong-answer variant, the fault, the wording) use the same inputs with a
different salt.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from conductor.pool.spec import SimProfile
from conductor.sim.roles import Role

N_VARIANTS = 12  # wrong-answer variants per draw: divisible by 2, 3, 4 and 6, so picks stay uniform


def effective_skill(profile: SimProfile, domain: str, role: Role) -> float:
    """Skill after the instruction's effect: an unfocused subtask halves it."""
    s = profile.skill.get(domain, 0.0)
    return s / 2.0 if role == "unfocused" else s


def p_correct(profile: SimProfile, domain: str, role: Role, n_visible: int, any_visible_correct: bool) -> float:
    """P(this reply is right) given the role, how many earlier answers it sees, and whether any is right."""
    s = effective_skill(profile, domain, role)
    if role != "review" or n_visible == 0:
        return s
    j = profile.judge.get(domain, 0.0)
    return j + (1.0 - j) * s if any_visible_correct else j * s


def canonical(value: Any) -> str:
    """A stable text form of request parts (messages are JSON), so equal inputs hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def unit_hash(*parts: Any) -> float:
    """A uniform number in [0, 1) determined by `parts` alone (SHA-256, first 64 bits)."""
    digest = hashlib.sha256(canonical(list(parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def int_hash(*parts: Any) -> int:
    """A non-negative integer determined by `parts` alone (for picking variants and wordings)."""
    digest = hashlib.sha256(canonical(list(parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[8:16], "big")


class Draw:
    """The deterministic draws for one request: correctness, wrong-answer variant, wording, fault."""

    def __init__(self, server_seed: int, request_seed: int | None, model: str, messages: Any) -> None:
        self._key = (server_seed, request_seed if request_seed is not None else 0, model, canonical(messages))

    @property
    def key(self) -> str:
        """A short id for this exact input (used as the response id and for per-input fault attempts)."""
        return hashlib.sha256(canonical(list(self._key)).encode("utf-8")).hexdigest()[:24]

    def u(self) -> float:
        return unit_hash("correct", *self._key)

    def correct(self, p: float) -> bool:
        return self.u() < p

    def variant(self) -> int:
        """Which wrong answer (0..N_VARIANTS-1); conductor.sim.answers maps it onto each task's options."""
        return int_hash("variant", *self._key) % N_VARIANTS

    def wording(self) -> int:
        return int_hash("wording", *self._key)

    def fault_u(self, attempt: int) -> float:
        return unit_hash("fault", attempt, *self._key)
