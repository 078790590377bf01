"""reward, advantages and presets stay free of torch / transformers / trl, so light commands start fast."""

from __future__ import annotations

import subprocess
import sys

CODE = (
    "import sys\n"
    "import conductor, conductor.policy, conductor.train\n"
    "import conductor.train.reward, conductor.train.advantages, conductor.config.presets\n"
    "heavy = [m for m in ('torch', 'transformers', 'trl', 'peft') if m in sys.modules]\n"
    "assert not heavy, heavy\n"
)


def test_light_modules_do_not_import_torch():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
