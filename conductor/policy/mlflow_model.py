"""The Conductor checkpoint as an MLflow pyfunc model: `mlflow.pyfunc.load_model(uri).predict(questions)`
returns the plan the Conductor writes for each question on the shipped pool, prompted with the default run
config's settings (the tiny recipe's compact prompt; `conductor ask` uses the checkpoint's own run config).
Imported only where a model is logged (conductor.iteration.campaign) or loaded, so mlflow stays off light paths.
"""

from __future__ import annotations

from typing import Any

from mlflow.pyfunc import PythonModel

from conductor.config import PolicyConfig, RunConfig
from conductor.policy.model import Policy
from conductor.pool.spec import load_pool
from conductor.workflow.conductor_prompt import PromptSettings


class ConductorModel(PythonModel):
    """Loads the checkpoint folder logged as the model's `checkpoint` artifact."""

    def load_context(self, context: Any) -> None:
        self.policy = Policy.load(context.artifacts["checkpoint"], PolicyConfig(device="cpu"))

    def predict(self, context: Any, model_input: list[str], params: dict[str, Any] | None = None) -> list[str]:
        pool = load_pool()
        settings = PromptSettings.from_config(RunConfig())
        prompts = [self.policy.render_prompt(*settings.first_round(str(q), pool)) for q in model_input]
        gens = self.policy.generate(prompts, n=1, temperature=0.2, max_new_tokens=160, seed=0)
        return [g[0].text for g in gens]
