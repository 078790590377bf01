"""The Conductor model, whatever its base: load any HF id or folder, render its prompt, sample with log-probs,
save (model.py); per-token log-probs for the update (logprobs.py); a sampled completion (generation.py);
vLLM sampling on a GPU (vllm_gen.py); loaded models kept per process (cache.py).

What only the tiny CPU Conductor needs (its local build and warm start) is the tiny recipe: conductor.tiny.
Importing this package is free: torch and transformers load only with its modules.
"""
