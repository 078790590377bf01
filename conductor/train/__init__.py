"""Training the Conductor: reward (reward.py), group advantages (advantages.py), the GRPO update from stored
rollouts (grpo.py, torch), presets (presets.py). See docs/design.md, "Training: GRPO from the store".

reward, advantages and presets import no torch, so the iteration loop and the CLI can use them cheaply.
"""
