#!/usr/bin/env bash
# Why classic local learning (ll) beat neuroflux on accuracy at vgg11's moderate budget: its fixed-width heads, or
# its steps (ll trains every unit at batch 83, 1,950 steps in 3 epochs, where neuroflux's blocks at 231-512 take
# 320-700 at the same peak rate)? This runs neuroflux with its own adaptive heads at ll's batch (--batch-cap 83),
# everything else as the moderate sitting's neuroflux (280 MiB, 3 epochs, lr 0.1, --stop-when-flat, full
# Fashion-MNIST). Exits close to ll's point at the steps; exits close to neuroflux's own at the heads. Accuracy is
# the question here, not time. Started again with the same arguments, a stopped run continues.
#
#   benchmarks/issue6-moderate-ll-gap.sh OUT_DIR [BATCH_CAP]     (default 83)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/benchmarks/stamp.sh"
out=${1:?usage: issue6-moderate-ll-gap.sh OUT_DIR [BATCH_CAP]}
cap=${2:-83}
mkdir -p "$out"
model="$out/vgg11.onnx"
[ -f "$model" ] || "$here/neuroflux" model vgg11 --input 1x28x28 --classes 10 --out "$model"
start=$(date +%s)
{
  echo "start $(date -u +%H:%M:%S) commit $(git -C "$here" rev-parse --short HEAD) batch cap $cap"
  /usr/bin/time -v "$here/neuroflux" train "$model" --method neuroflux --data fashion-mnist --budget 280MiB \
      --epochs 3 --threads 2 --lr 0.1 --stop-when-flat --batch-cap "$cap" --out "$out/neuroflux-cap$cap" 2>&1
} | stamp "$start" >> "$out/neuroflux-cap$cap.log"
