#!/usr/bin/env bash
# Builds the tiny random-weight test models (test/models/tiny-clip, tiny-siglip) and their references.
# Extra arguments go to build_test_models.py, e.g. `--full b32 --out /tmp/clip-b32` for a full-size
# random CLIP with fp16 and int8 variants (for benchmarks; not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! /usr/bin/python3 -c 'import torch, onnx, numpy, PIL' >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3-torch python3-onnx python3-numpy python3-pil libopenblas0-openmp >/dev/null
fi

exec /usr/bin/python3 training/build_test_models.py "$@"
