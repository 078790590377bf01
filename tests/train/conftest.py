"""An untrained tiny Conductor for the update tests: GRPO's mechanics need no warm start."""

from __future__ import annotations

import os

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

PROMPTS = [
    "<|im_start|>user\nWhat is 17 * 23?\nModel id 0\nModel id 1\nModel id 2<|im_end|>\n<|im_start|>assistant\nPlan:\n",
    "<|im_start|>user\nWhich planet is the largest?\nModel id 0<|im_end|>\n<|im_start|>assistant\nPlan:\n",
]
COMPLETION_A = 'model_id = [2]\nsubtasks = ["Solve the problem."]\naccess_list = [[]]'
COMPLETION_B = 'model_id = [0, 1]\nsubtasks = ["Solve it.", "Check the answer above."]\naccess_list = [[], ["all"]]'


@pytest.fixture(scope="session")
def micro_dir(tmp_path_factory):
    import torch

    from conductor.policy.tiny import build_tiny_conductor

    torch.set_num_threads(2)
    corpus = PROMPTS * 3 + [COMPLETION_A, COMPLETION_B] * 3
    return build_tiny_conductor(tmp_path_factory.mktemp("micro"), corpus, seed=0, size="micro")


@pytest.fixture
def micro(micro_dir):
    from conductor.config import PolicyConfig
    from conductor.policy.model import Policy

    return Policy.load(micro_dir, PolicyConfig(device="cpu", temperature=1.0))
