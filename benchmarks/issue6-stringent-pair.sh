#!/usr/bin/env bash
# Issue 6's stringent pair: end-to-end backpropagation, then neuroflux, on vgg11 (1x28x28) at 185.9 MiB, back to
# back on a quiet machine, every log line stamped with the clock and the run's seconds, /usr/bin/time -v around
# each (system CPU and page faults).
#
#   benchmarks/issue6-stringent-pair.sh OUT_DIR [LR]     (LR: the peak learning rate of both; default 0.05)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: issue6-stringent-pair.sh OUT_DIR [LR]}
lr=${2:-0.05}
budget=185.9MiB
mkdir -p "$out"
model="$out/vgg11.onnx"
[ -f "$model" ] || "$here/neuroflux" model vgg11 --input 1x28x28 --classes 10 --out "$model"
stamp() {
  local start=$1
  while IFS= read -r line; do printf '%s +%ss %s\n' "$(date -u +%H:%M:%S)" "$(( $(date +%s) - start ))" "$line"; done
}
run() {
  local name=$1; shift
  local start
  start=$(date +%s)
  {
    echo "start $(date -u +%H:%M:%S) epoch-seconds $start commit $(git -C "$here" rev-parse --short HEAD) lr $lr"
    /usr/bin/time -v "$here/neuroflux" train "$model" --data fashion-mnist --budget "$budget" --epochs 3 \
        --threads 2 --lr "$lr" --out "$out/$name" "$@" 2>&1
  } | stamp "$start" > "$out/$name.log"
}
run bp --method bp
run neuroflux --method neuroflux --stop-when-flat
