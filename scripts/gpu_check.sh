#!/usr/bin/env bash
# The GPU checks of the training path, prepared for a lent GPU machine that has no network (../shared/gpu.md).
#
#   bash scripts/gpu_check.sh prepare    # here, with the package registries: wheels the GPU image lacks -> .gpu-wheels/
#   bash scripts/gpu_check.sh run        # there (device `run`, carry [".gpu-wheels"]): tests and figures -> $OUT
#
# `run` installs the wheels into a private folder, runs the `gpu`-marked tests (bf16, gradient checkpointing,
# LoRA on CUDA) and benchmarks/update_vs_trl.py on a randomly initialised Qwen2.5-0.5B-shaped model (our update
# against plain TRL on the same batch: the ratio issue 6 asks for), and writes logs to $OUT. About 3-5 minutes
# on an H100/H200 after the machine's start. Status: written and its `prepare` step run on the CPU machine; the
# `run` step has not yet run on a GPU (no machine was lent in the sessions so far).
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS=.gpu-wheels

pin() {  # the version requirements.lock pins, so the GPU runs what the CPU tests ran
    grep -i "^$1==" requirements.lock | head -1
}

case "${1:-}" in
prepare)
    # The GPU image (gpu.md) holds torch, transformers, accelerate, peft, tokenizers, safetensors, pyarrow,
    # pandas, numpy, pytest; our update path needs these besides (pure Python, or manylinux wheels for 3.12).
    mkdir -p "$WHEELS"
    pkgs=()
    for p in trl datasets dill multiprocess xxhash pydantic pydantic_core annotated-types typing-inspection \
             PyYAML; do
        pkgs+=("$(pin "$p")")
    done
    python3 -m pip download --dest "$WHEELS" --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        --platform manylinux_2_28_x86_64 --platform any "${pkgs[@]}"
    grep -qx "/$WHEELS/" .git/info/exclude 2>/dev/null || echo "/$WHEELS/" >> .git/info/exclude
    du -sh "$WHEELS"
    ;;
run)
    : "${OUT:?run this on the device machine, where \$OUT is set}"
    export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
    SITE=/tmp/conductor-site
    python3 -m pip install --quiet --no-index --no-deps --target "$SITE" "$WHEELS"/*.whl
    export PYTHONPATH="$SITE:$PWD"
    nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true
    python3 -c "import torch, transformers, trl; print('torch', torch.__version__, 'transformers', \
transformers.__version__, 'trl', trl.__version__, 'cuda', torch.cuda.is_available())" | tee "$OUT/versions.txt"
    status=0
    python3 -m pytest -m gpu tests/train/test_gpu.py -q -p no:cacheprovider -o addopts="" 2>&1 \
        | tee "$OUT/gpu_tests.log" || status=1
    python3 -m benchmarks.update_vs_trl --size qwen-0.5b --device cuda --bf16 --gradient-checkpointing \
        --rows 64 --group 8 --micro 8 --prompt-tokens 512 --completion-tokens 256 --repeats 5 2>&1 \
        | tee "$OUT/update_vs_trl.log" || status=1
    python3 -m benchmarks.update_vs_trl --size qwen-0.5b --device cuda --bf16 \
        --rows 64 --group 8 --micro 8 --prompt-tokens 512 --completion-tokens 256 --repeats 5 2>&1 \
        | tee "$OUT/update_vs_trl_no_checkpointing.log" || status=1
    exit $status
    ;;
*)
    sed -n 2,11p "$0"
    exit 2
    ;;
esac
