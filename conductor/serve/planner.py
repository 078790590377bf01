"""The Conductor as a planner: messages in, a plan out, with the paper's inference-time retries.

At inference the authors re-ask the Conductor up to 5 times when its text does not parse; during training
there is no retry (paper section 2). `plan` returns the first text that parses, or the last one. It
implements conductor.workflow.rounds.Planner, so `run_rounds` drives it; each call samples once per try with
its own seed (conductor.seeds.planner_seed), one prompt at a time.
"""

from __future__ import annotations

from conductor.config import PolicyConfig
from conductor.policy.model import Policy
from conductor.seeds import planner_seed
from conductor.workflow.conductor_prompt import Messages
from conductor.workflow.parse import parse_workflow
from conductor.workflow.rounds import Plan
from conductor.workflow.schema import WorkflowError


class PolicyPlanner:
    """A loaded policy sampling at the evaluation temperature, retried while its text does not parse."""

    def __init__(self, policy: Policy, cfg: PolicyConfig, retries: int = 5, seed: int = 0) -> None:
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
            try:
                parse_workflow(plan.text, allow_empty=True)
                return plan
            except WorkflowError:
                continue
        return plan
