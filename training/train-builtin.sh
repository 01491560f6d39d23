#!/usr/bin/env bash
# Reproduces models/builtin/: installs the Python packages if missing, renders the training and
# validation worlds with the TypeScript CLI, then trains and exports (about 20-30 min on 2 cores).
# Seeds used by training: world seed 1 (train split), 2 (val split), torch/numpy seed 0. Evaluation
# (`visualref eval --world`) defaults to a test split of another seed.
set -euo pipefail
cd "$(dirname "$0")/.."

TRAIN_SCENES="${TRAIN_SCENES:-20000}"
STEPS="${STEPS:-2400}"
OUT="${OUT:-models/builtin}"
CACHE=".cache/builtin-training"

missing=()
for pkg in python3-torch python3-onnx python3-numpy python3-pil libopenblas0-openmp; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  $sudo_cmd apt-get install -y -q "${missing[@]}"
fi

render() { # seed count split dir
  if [ ! -f "$4/captions.json" ] || [ "$(ls "$4" | grep -c '\.png$')" -ne "$2" ]; then
    rm -rf "$4"
    node bin/visualref.js world --seed "$1" --count "$2" --split "$3" --out "$4"
  fi
}
render 1 "$TRAIN_SCENES" train "$CACHE/train-seed1-$TRAIN_SCENES"
render 2 1000 val "$CACHE/val-seed2-1000"

# Passive waiting: spinning OpenMP threads waste the cores when other work shares them.
OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/train_builtin.py \
  --train "$CACHE/train-seed1-$TRAIN_SCENES" --val "$CACHE/val-seed2-1000" \
  --out "$OUT" --steps "$STEPS" --threads 2
