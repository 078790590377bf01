"""The tiny recipe: everything that exists only to make a 0.5 M-parameter Conductor learn on a CPU.

    model.py       the locally built Qwen2-architecture model and byte-level tokenizer, and their sizes
    thought.py     the thought line and the lead word the tiny Conductor writes before its lists
    examples.py    the warm start's examples (random valid plans as targets, prompts as training shows them)
    warm_start.py  the supervised warm start
    bootstrap.py   the first checkpoint: build, warm-start, cache

Its settings are the run config's `tiny` section (absent for a real base model). The general path reaches
it through one seam: `conductor.iteration.campaign.initial_checkpoint` calls `bootstrap.tiny_checkpoint`
when `policy.base_model` is 'tiny'. Nothing in the general path imports this package otherwise; what the
Conductor is shown (the cropped question) comes from `PromptSettings.from_config`.
"""
