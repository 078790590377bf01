"""Prompts and completions the update tests share (a conftest is not importable by name: which `conftest`
module Python finds depends on what pytest collected first)."""

from __future__ import annotations

PROMPTS = [
    "<|im_start|>user\nWhat is 17 * 23?\nModel id 0\nModel id 1\nModel id 2<|im_end|>\n<|im_start|>assistant\nPlan:\n",
    "<|im_start|>user\nWhich planet is the largest?\nModel id 0<|im_end|>\n<|im_start|>assistant\nPlan:\n",
]
COMPLETION_A = 'model_id = [2]\nsubtasks = ["Solve the problem."]\naccess_list = [[]]'
COMPLETION_B = 'model_id = [0, 1]\nsubtasks = ["Solve it.", "Check the answer above."]\naccess_list = [[], ["all"]]'
