"""The simulated pool's probability model: the one place its numbers live.

The server (what a worker answers) and the oracle (the best any workflow can expect) both take their numbers
from here, so they cannot drift apart. Two models, chosen by the pool file's `sim_model` (docs/simulator.md):

**irt** (the default). A task has a difficulty level k (of `levels`, equally likely): from the source's own
metadata (`Task.difficulty` in [0, 1]) where it has any, else from a hash of the task id; on the logit scale
b_k = spread * Phi^-1((k + 1/2) / levels). Worker w's chance on it, in the task's domain d, is an item-response
curve, p = sigmoid(theta - b_k), where theta is fitted so that p averaged over the levels is the pool file's
`skill[w][d]` (so the file's numbers keep their meaning: P(right) on the domain's average task). The judge
skill works the same way: c = sigmoid(phi - b_k), phi fitted to `judge[w][d]`. Every worker sees the same b_k,
so a hard task is hard for all of them. Then, for one request:

  S  the worker's own take on the task: one draw per (server seed, worker, task), right with prob. p;
  O  this call's solve: with prob. share (= repeat_share(temperature)) it is S, else a fresh draw (prob. p);
     an unfocused subtask (conductor.sim.roles) also needs a fair coin: P(O) halves;
  C  a review's catch: right with prob. c, fresh per call.
  solve, or review with nothing visible  -> right iff O
  review, at least one visible answer right -> right iff C or O    (P = c + (1 - c) q)
  review, every visible answer wrong     -> right iff C and O      (P = c * q)
with q = P(O | S) = share * [S right] + (1 - share) * p. Given the task and every worker's S, calls are
independent: that is what lets the oracle stay exact (conductor.sim.oracle sums over the S's).

**independent** (the first simulator, kept so its figures can be reproduced): no difficulty, no S: every
call is a fresh draw, p = skill and c = judge, with the same three formulas (q = p).

The draws are hashes, not a random generator, so an answer depends only on its inputs and never on the order
or concurrency of calls: u = H(server seed, request seed, model, messages) in [0, 1).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Any

from conductor.pool.spec import SimModel, SimProfile
from conductor.sim.roles import Role

N_VARIANTS = 12  # wrong-answer variants per draw: divisible by 2, 3, 4 and 6, so picks stay uniform
FULL_INDEPENDENCE_T = 2.0  # the temperature at which repeated calls share nothing (OpenAI's maximum)
DEFAULT_TEMPERATURE = 1.0  # what an OpenAI endpoint assumes when a request names none
UNFOCUSED_FACTOR = 0.5
JUDGE_SLOPE = 0.5  # an unfocused subtask halves the chance of a right answer


def repeat_share(temperature: float | None) -> float:
    """The share of randomness repeated calls of one worker on one task have in common: 1 - T/2, in [0, 1].

    Why this form: at temperature 0 a model repeats itself exactly, at the API's maximum (2) it is as good as
    independent, and the workers' usual 0.2 shares 0.9, so five calls agree far more often than five coins."""
    t = DEFAULT_TEMPERATURE if temperature is None else float(temperature)
    return min(1.0, max(0.0, 1.0 - t / FULL_INDEPENDENCE_T))


# --- task difficulty -----------------------------------------------------------------------------------------


def difficulty_level(task_id: str, difficulty: float | None, levels: int) -> int:
    """The task's level, 0 (easiest) .. levels-1: from the source's difficulty in [0, 1] when it has one, else a
    hash of the task id (uniform over the levels, so a domain's tasks spread evenly)."""
    q = unit_hash("difficulty", task_id) if difficulty is None else min(max(float(difficulty), 0.0), 1.0)
    return min(levels - 1, int(q * levels))


def level_logit(level: int, model: SimModel) -> float:
    """b_k: the difficulty of level k on the logit scale (the midpoint quantile of a normal of sd `spread`)."""
    return model.spread * NormalDist().inv_cdf((level + 0.5) / model.levels)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@lru_cache(maxsize=4096)
def _ability(mean: float, spread: float, levels: int) -> float:
    """theta such that sigmoid(theta - b_k) averaged over the levels is `mean` (bisection; mean in (0, 1))."""
    model = SimModel(spread=spread, levels=levels)
    bs = [level_logit(k, model) for k in range(levels)]
    lo, hi = -40.0, 40.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if sum(_sigmoid(mid - b) for b in bs) / levels < mean:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def at_level(mean: float, level: int | None, model: SimModel) -> float:
    """A per-domain average probability (skill or judge) turned into the probability at one difficulty level.
    `level` None, or the independent model: the average itself."""
    if model.kind == "independent" or level is None or mean <= 0.0 or mean >= 1.0:
        return mean
    return _sigmoid(_ability(mean, model.spread, model.levels) - level_logit(level, model))


# --- one worker on one task ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Numbers:
    """One worker on one task: P(solve right) p, P(a review catches) c, and the repeat share (0: independent)."""

    solve: float
    judge: float
    share: float

    def q(self, own_right: bool | None) -> float:
        """P(this call's solve is right) given the worker's own take S (None: not conditioned on it)."""
        if own_right is None:
            return self.solve
        return self.share * float(own_right) + (1.0 - self.share) * self.solve


def numbers(profile: SimProfile, domain: str, level: int | None, model: SimModel, temperature: float | None) -> Numbers:
    """The worker's numbers on a task of `domain` at difficulty `level` (None: the domain's average task)."""
    p = at_level(profile.skill.get(domain, 0.0), level, model)
    c = at_level(profile.judge.get(domain, 0.0), level, model.model_copy(update={"spread": model.spread * JUDGE_SLOPE}))
    share = 0.0 if model.kind == "independent" else repeat_share(temperature)
    return Numbers(solve=p, judge=c, share=share)


def p_given(nums: Numbers, role: Role, n_visible: int, any_visible_correct: bool, own_right: bool | None) -> float:
    """P(this reply is right) given the role, what it sees, and (irt) the worker's own take S."""
    q = nums.q(own_right)
    if role == "unfocused":
        return q * UNFOCUSED_FACTOR
    if role != "review" or n_visible == 0:
        return q
    c = nums.judge
    return c + (1.0 - c) * q if any_visible_correct else c * q


def effective_skill(profile: SimProfile, domain: str, role: Role) -> float:
    """Skill after the instruction's effect (independent model, average task): an unfocused subtask halves it."""
    s = profile.skill.get(domain, 0.0)
    return s * UNFOCUSED_FACTOR if role == "unfocused" else s


def p_correct(profile: SimProfile, domain: str, role: Role, n_visible: int, any_visible_correct: bool) -> float:
    """P(right) on the domain's average task, marginal over S: the independent model's formula (and the irt
    model's for one call on an average task, since P(O) = p there)."""
    s = effective_skill(profile, domain, role)
    if role != "review" or n_visible == 0:
        return s
    j = profile.judge.get(domain, 0.0)
    return j + (1.0 - j) * s if any_visible_correct else j * s


# --- the confidence cue ----------------------------------------------------------------------------------------

CONFIDENCE_LEVELS: tuple[str, ...] = ("high", "medium", "low")
CUE_IF_RIGHT: tuple[float, ...] = (0.6, 0.3, 0.1)  # P(stated confidence | the answer is right)
CUE_IF_WRONG: tuple[float, ...] = (0.2, 0.3, 0.5)  # P(stated confidence | the answer is wrong)


def confidence(correct: bool, u: float) -> str:
    """The confidence a reply states (irt only): 'high' is 3x as likely for a right answer as for a wrong one,
    'low' 5x as likely for a wrong one; 'medium' says nothing. A planner reading it learns something, not all."""
    edge = 0.0
    for level, p in zip(CONFIDENCE_LEVELS, CUE_IF_RIGHT if correct else CUE_IF_WRONG, strict=True):
        edge += p
        if u < edge:
            return level
    return CONFIDENCE_LEVELS[-1]


# --- deterministic draws -----------------------------------------------------------------------------------------


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
    """The deterministic draws for one request: correctness, wrong-answer variant, wording, fault.

    The independent model uses `u()` and `variant()` alone (exactly the first simulator's draws). The irt
    model adds the worker's own take on the task (`own_u`, `own_variant`: the same for every call of this
    worker on this task, whatever the message or seed), whether this call repeats it (`share_u`), the
    review's catch (`catch_u`), the unfocused coin (`focus_u`) and the stated confidence (`cue_u`)."""

    def __init__(self, server_seed: int, request_seed: int | None, model: str, messages: Any) -> None:
        self._server_seed = server_seed
        self._model = model
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

    def own_u(self, task_id: str) -> float:
        return unit_hash("own", self._server_seed, self._model, task_id)

    def own_variant(self, task_id: str) -> int:
        """The wrong answer this worker gives whenever it repeats its own (wrong) take on the task."""
        return int_hash("own-variant", self._server_seed, self._model, task_id) % N_VARIANTS

    def share_u(self) -> float:
        return unit_hash("share", *self._key)

    def catch_u(self) -> float:
        return unit_hash("catch", *self._key)

    def focus_u(self) -> float:
        return unit_hash("focus", *self._key)

    def cue_u(self) -> float:
        return unit_hash("cue", *self._key)

    def wording(self) -> int:
        return int_hash("wording", *self._key)

    def fault_u(self, attempt: int) -> float:
        return unit_hash("fault", attempt, *self._key)
