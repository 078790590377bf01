"""The Conductor as a planner: messages in, workflow text out, with the paper's inference-time retries.

At inference the authors re-ask the Conductor up to 5 times when its text does not parse; during training
there is no retry (paper section 2). `plan` returns the first text that parses, or the last one.
"""

from __future__ import annotations

from typing import Any

from conductor.config import PolicyConfig


class PolicyPlanner:
    def __init__(self, policy: Any, cfg: PolicyConfig, retries: int = 5, seed: int = 0) -> None:
        self.policy = policy
        self.cfg = cfg
        self.retries = retries
        self.seed = seed
        self.calls = 0

    def _sample(self, messages: list[dict[str, str]], prefill: str) -> str:
        prompt = self.policy.render_prompt(messages, prefill)
        self.calls += 1
        gens = self.policy.generate(
            [prompt],
            n=1,
            temperature=self.cfg.eval_temperature,
            max_new_tokens=self.cfg.max_new_tokens,
            seed=self.seed + self.calls,
        )
        return gens[0][0].text

    async def plan(self, messages: list[dict[str, str]], prefill: str) -> str:
        from conductor.workflow.parse import parse_workflow
        from conductor.workflow.schema import WorkflowError

        text = ""
        for _ in range(max(1, self.retries)):
            text = self._sample(messages, prefill)
            try:
                parse_workflow(text, allow_empty=True)
                return text
            except WorkflowError:
                continue
        return text
