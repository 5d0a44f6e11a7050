#!/usr/bin/env bash
# Why classic local learning (ll) beat neuroflux on accuracy at vgg11's moderate budget: its fixed-width heads, or
# its steps (ll trains every unit at batch 83, 1,950 steps in 3 epochs, where neuroflux's blocks at 231-512 take
# 320-700 at the same peak rate)? Runs neuroflux as the moderate sitting did (280 MiB, 3 epochs, lr 0.1,
# --stop-when-flat, full Fashion-MNIST) with one change:
#   --batch-cap 83   neuroflux's adaptive heads at ll's batch (the default): exits close to ll's point at the steps
#   --lr-batch 83    neuroflux's own batches with the rate scaled linearly from batch 83 (lr 0.1 * b / 83)
# Accuracy is the question here, not time. Started again with the same arguments, a stopped run continues.
#
#   benchmarks/issue6-moderate-ll-gap.sh OUT_DIR [--batch-cap N | --lr-batch B]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/benchmarks/stamp.sh"
out=${1:?usage: issue6-moderate-ll-gap.sh OUT_DIR [--batch-cap N | --lr-batch B]}
option=${2:---batch-cap}
value=${3:-83}
case $option in
  --batch-cap) name=neuroflux-cap$value ;;
  --lr-batch) name=neuroflux-lr-batch$value ;;
  *) echo "unknown option $option (--batch-cap N or --lr-batch B)" >&2; exit 2 ;;
esac
mkdir -p "$out"
model="$out/vgg11.onnx"
[ -f "$model" ] || "$here/neuroflux" model vgg11 --input 1x28x28 --classes 10 --out "$model"
start=$(date +%s)
{
  echo "start $(date -u +%H:%M:%S) commit $(git -C "$here" rev-parse --short HEAD) $option $value"
  /usr/bin/time -v "$here/neuroflux" train "$model" --method neuroflux --data fashion-mnist --budget 280MiB \
      --epochs 3 --threads 2 --lr 0.1 --stop-when-flat "$option" "$value" --out "$out/$name" 2>&1
} | stamp "$start" >> "$out/$name.log"
