"""conductor: train a small LLM (the Conductor) with GRPO to write workflows over a pool of worker LLMs.

The library has no Prefect imports; `flows/` strings its plain functions together. Heavy imports (torch,
transformers, trl) live only in `conductor.policy` and `conductor.train`, so light commands start fast.
"""

__version__ = "0.1.0"
