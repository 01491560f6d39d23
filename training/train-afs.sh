#!/usr/bin/env bash
# Trains the attentive feedback summarizer of a model folder:
#   npm run train:afs -- --model DIR --captions FILE [--images DIR] [--out DIR] [train_afs.py options]
# Encodes the captioned images once with the frozen model (training/afs-features.ts, token outputs
# before projection), then trains and exports with training/train_afs.py (PyTorch from Debian; a GPU
# when present). --out defaults to the model folder itself (onnx/afs.onnx, afs.json).
set -euo pipefail
cd "$(dirname "$0")/.."

model="" captions="" images="" out="" limit=""
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --captions) captions="$2"; shift 2 ;;
    --images) images="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done
if [ -z "$model" ] || [ -z "$captions" ]; then
  echo "usage: npm run train:afs -- --model DIR --captions FILE [--images DIR] [--out DIR] [--limit N] [train_afs.py options]" >&2
  exit 2
fi
out="${out:-$model}"

if ! /usr/bin/python3 -c 'import torch, onnx, numpy' >/dev/null 2>&1; then
  echo "installing python3-torch python3-onnx python3-numpy libopenblas0-openmp" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  $sudo_cmd apt-get install -y -q python3-torch python3-onnx python3-numpy libopenblas0-openmp
fi

features="${AFS_FEATURES:-.cache/afs-features/$(basename "$(realpath "$model")")-$(basename "$(realpath "$captions")" .json)-$(echo "$captions$images$limit" | cksum | cut -d' ' -f1)}"
args=(--model "$model" --captions "$captions" --out "$features")
[ -n "$images" ] && args+=(--images "$images")
[ -n "$limit" ] && args+=(--limit "$limit")
# The features of a given model, captions file and image count are encoded once (meta.json is written last).
[ -f "$features/meta.json" ] || node --import tsx training/afs-features.ts "${args[@]}"

# Passive waiting: spinning OpenMP threads waste the cores when other work shares them.
OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/train_afs.py \
  --features "$features" --out "$out" ${rest[@]+"${rest[@]}"}
