"""The Conductor as a planner: messages in, a plan out, with the paper's inference-time retries.

At inference the authors re-ask the Conductor up to 5 times when its text does not parse; during training
there is no retry (paper section 2). `plan` returns the first text that parses, or the last one. Both
planners implement conductor.workflow.rounds.Planner, so `run_rounds` drives them:

  - `RequestPlanner`: one request's planner (the server and `conductor ask`): its own seed, temperature and
    attempt count, its samples drawn through a shared `Batcher` (so concurrent requests share `generate`
    calls), the Conductor's own tokens counted for the usage split, and each plan reported to an observer.
  - `PolicyPlanner`: a loaded policy sampled one prompt at a time with a running call count (the benchmarks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conductor.config import PolicyConfig
from conductor.policy.model import Policy
from conductor.seeds import planner_seed
from conductor.serve.batching import Batcher
from conductor.workflow.conductor_prompt import Messages
from conductor.workflow.parse import parse_workflow
from conductor.workflow.rounds import Plan
from conductor.workflow.schema import WorkflowError

RETRIES = 5  # the paper's inference-time re-asks


def parses(text: str) -> bool:
    """The planner's retry test: the text is three well-formed lists (the rounds check the worker ids)."""
    try:
        parse_workflow(text, allow_empty=True)
        return True
    except WorkflowError:
        return False


@dataclass
class ConductorUsage:
    """The Conductor's own tokens for one request: every sample it drew, retries and rounds included."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    samples: int = 0
    plans: int = 0
    generate_s: float = 0.0  # seconds of the generate calls its samples came from
    largest_batch: int = 0


PlanHook = Callable[[int, str, int], None]  # (round index, plan text, samples it took)


class RequestPlanner:
    """One request's Conductor: samples through the shared batcher at the request's temperature and seed."""

    def __init__(
        self,
        batcher: Batcher,
        cfg: PolicyConfig,
        seed: int = 0,
        temperature: float | None = None,
        retries: int = RETRIES,
        on_plan: PlanHook | None = None,
    ) -> None:
        self.batcher = batcher
        self.cfg = cfg
        self.seed = seed
        self.temperature = cfg.eval_temperature if temperature is None else temperature
        self.retries = max(1, retries)
        self.on_plan = on_plan
        self.usage = ConductorUsage()

    async def plan(self, messages: Messages, prefill: str) -> Plan:
        policy = self.batcher.policy
        prompt = policy.render_prompt(messages, prefill)
        prompt_tokens = len(policy.encode(prompt))
        plan, tries = Plan(text=""), 0
        for _ in range(self.retries):
            tries += 1
            self.usage.samples += 1
            sampled = await self.batcher.generate(
                prompt, self.temperature, self.cfg.max_new_tokens, planner_seed(self.seed, self.usage.samples)
            )
            g = sampled.generation
            self.usage.generate_s += sampled.generate_s
            self.usage.largest_batch = max(self.usage.largest_batch, sampled.batch_size)
            self.usage.prompt_tokens += prompt_tokens
            self.usage.completion_tokens += len(g.token_ids)
            plan = Plan(text=g.text, prompt=prompt, token_ids=tuple(g.token_ids), logprobs=tuple(g.logprobs))
            if parses(plan.text):
                break
        if self.on_plan is not None:
            self.on_plan(self.usage.plans, plan.text, tries)
        self.usage.plans += 1
        return plan


class PolicyPlanner:
    """A loaded policy sampling at the evaluation temperature, retried while its text does not parse."""

    def __init__(self, policy: Policy, cfg: PolicyConfig, retries: int = RETRIES, seed: int = 0) -> None:
        self.policy = policy
        self.cfg = cfg
        self.retries = retries
        self.seed = seed
        self.calls = 0

    def _sample(self, messages: Messages, prefill: str) -> Plan:
        prompt = self.policy.render_prompt(messages, prefill)
        self.calls += 1
        gens = self.policy.generate(
            [prompt],
            n=1,
            temperature=self.cfg.eval_temperature,
            max_new_tokens=self.cfg.max_new_tokens,
            seed=planner_seed(self.seed, self.calls),
        )
        g = gens[0][0]
        return Plan(text=g.text, prompt=prompt, token_ids=tuple(g.token_ids), logprobs=tuple(g.logprobs))

    async def plan(self, messages: Messages, prefill: str) -> Plan:
        plan = Plan(text="")
        for _ in range(max(1, self.retries)):
            plan = self._sample(messages, prefill)
            if parses(plan.text):
                return plan
        return plan
