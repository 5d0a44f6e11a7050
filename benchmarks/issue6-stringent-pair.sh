#!/usr/bin/env bash
# Issue 6's stringent runs: end-to-end backpropagation, then neuroflux (or the methods named), on vgg11 (1x28x28)
# at 185.9 MiB, back to back on a quiet machine, every log line stamped with the clock and the run's seconds,
# /usr/bin/time -v around each (system CPU and page faults).
#
#   benchmarks/issue6-stringent-pair.sh OUT_DIR [LR [METHOD...]]
#
# LR: the peak learning rate of every method (default 0.05); METHOD: bp, bp-checkpoint, ll, neuroflux (default:
# bp neuroflux). neuroflux runs with --stop-when-flat.
# Another network and budget through the environment: MODEL (a `neuroflux model` name, default vgg11) and BUDGET
# (default 185.9MiB), e.g. MODEL=resnet18 BUDGET=240MiB. A run stopped part way continues from its checkpoint when
# the script is started again with the same arguments; its log goes on in the same file.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/benchmarks/stamp.sh"
out=${1:?usage: issue6-stringent-pair.sh OUT_DIR [LR]}
lr=${2:-0.05}
shift $(( $# < 2 ? $# : 2 ))
methods=("$@")
[ ${#methods[@]} -gt 0 ] || methods=(bp neuroflux)
budget=${BUDGET:-185.9MiB}
network=${MODEL:-vgg11}
mkdir -p "$out"
model="$out/$network.onnx"
[ -f "$model" ] || "$here/neuroflux" model "$network" --input 1x28x28 --classes 10 --out "$model"
run() {
  local name=$1; shift
  local start
  start=$(date +%s)
  {
    echo "start $(date -u +%H:%M:%S) epoch-seconds $start commit $(git -C "$here" rev-parse --short HEAD) lr $lr"
    /usr/bin/time -v "$here/neuroflux" train "$model" --data fashion-mnist --budget "$budget" --epochs 3 \
        --threads 2 --lr "$lr" --out "$out/$name" "$@" 2>&1
  } | stamp "$start" >> "$out/$name.log"
}
for method in "${methods[@]}"; do
  case $method in
    neuroflux) run neuroflux --method neuroflux --stop-when-flat ;;
    bp|bp-checkpoint|ll) run "$method" --method "$method" ;;
    *) echo "unknown method: $method (bp, bp-checkpoint, ll, neuroflux)" >&2; exit 2 ;;
  esac
done
