#!/usr/bin/env bash
# Reproduces models/builtin's AFS (onnx/afs.onnx, afs.json, afs-reference.json, afs-training-log.txt):
# renders the world's train split (seed 1, as the built-in model's own training; evaluation uses
# seed 1000) and trains on it with training/train-afs.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

SCENES="${SCENES:-8000}"
WORLD=".cache/builtin-training/train-seed1-$SCENES"
if [ ! -f "$WORLD/captions.json" ]; then
  rm -rf "$WORLD"
  node bin/visualref.js world --seed 1 --count "$SCENES" --split train --out "$WORLD"
fi
# The settings of the committed AFS (models/builtin/afs-training-log.txt); later arguments override them.
exec bash training/train-afs.sh --model models/builtin --captions "$WORLD/captions.json" \
  --batch 64 --steps 1500 --eval-every 250 --patience 2 "$@"
