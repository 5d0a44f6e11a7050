#!/usr/bin/env bash
# Issue 6 at a moderate budget: vgg11 (1x28x28) at 280 MiB, where end-to-end backpropagation fits batch 64, trained
# by `neuroflux compare` with bp then neuroflux (or the methods named) on full Fashion-MNIST, 3 epochs, lr 0.1,
# neuroflux with --stop-when-flat; every log line stamped with the clock and the run's seconds, /usr/bin/time -v
# around it. Writes OUT_DIR/compare.md, compare.json, accuracy-vs-time.svg, each method's folder, and compare.log.
#
#   benchmarks/issue6-moderate-compare.sh OUT_DIR [METHODS]     (METHODS: default bp,neuroflux)
# Another network and budget through the environment: MODEL (a `neuroflux model` name, default vgg11) and BUDGET
# (default 280MiB). Started again with the same arguments, compare reads the methods that finished and continues a
# stopped one from its checkpoint; the log goes on in the same file.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/benchmarks/stamp.sh"
out=${1:?usage: issue6-moderate-compare.sh OUT_DIR [METHODS]}
methods=${2:-bp,neuroflux}
mkdir -p "$out"
network=${MODEL:-vgg11}
model="$out/$network.onnx"
[ -f "$model" ] || "$here/neuroflux" model "$network" --input 1x28x28 --classes 10 --out "$model"
start=$(date +%s)
{
  echo "start $(date -u +%H:%M:%S) commit $(git -C "$here" rev-parse --short HEAD) methods $methods"
  /usr/bin/time -v "$here/neuroflux" compare "$model" --data fashion-mnist --budget "${BUDGET:-280MiB}" --epochs 3 \
      --threads 2 --lr 0.1 --stop-when-flat --methods "$methods" --out "$out/compare" 2>&1
} | stamp "$start" >> "$out/compare.log"
