"""The Conductor model: build a tiny local one (tiny.py), load any HF id or folder, sample and save (model.py),
per-token log-probs (logprobs.py), the supervised warm start (sft.py, sft_data.py), vLLM (vllm_gen.py, GPU).

Importing this package is free: torch and transformers load only with its modules.
"""
