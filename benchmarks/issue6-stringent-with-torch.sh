#!/usr/bin/env bash
# Issue 6 at the stringent budget in one sitting, on vgg11 (1x28x28) at 185.9 MiB: neuroflux; PyTorch's block-wise
# local learning with neuroflux's blocks, batches and rate (benchmarks/torch-side-by-side.sh --methods ll);
# neuroflux's end-to-end backpropagation (benchmarks/issue6-stringent-pair.sh); PyTorch's backprop at the batch and
# rate bp ran at (--methods bp), which writes the side-by-side table. Each method runs at its own peak learning
# rate, the better of 0.05 and 0.1 by validation accuracy in earlier runs. The order changes no figure; the two
# longest runs (bp, over an hour, and PyTorch's bp) go last. A step whose output is already there is skipped, so a
# sitting that was cut off goes on where it stopped. Run it on a quiet machine.
#
#   benchmarks/issue6-stringent-with-torch.sh OUT_DIR [NEUROFLUX_LR [BP_LR]]    (defaults 0.1 and 0.05)
#   MODEL=resnet18 BUDGET=240MiB benchmarks/issue6-stringent-with-torch.sh OUT_DIR 0.1 0.1   (another network)
# A sitting too long for one stretch (resnet18's) is started again with the same command: finished steps are
# skipped and a stopped neuroflux or bp run continues from its checkpoint.
# Writes OUT_DIR/{neuroflux,bp}/report.json and their logs, OUT_DIR/torch/torch-side-by-side.md and
# OUT_DIR/torch-{ll,bp}.log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/benchmarks/stamp.sh"
out=${1:?usage: issue6-stringent-with-torch.sh OUT_DIR [NEUROFLUX_LR [BP_LR]]}
nf_lr=${2:-0.1}
bp_lr=${3:-0.05}
torch() {
  local method=$1; shift
  local start
  start=$(date +%s)
  {
    echo "torch $method start $(date -u +%H:%M:%S)"
    /usr/bin/time -v "$here/benchmarks/torch-side-by-side.sh" "$out/${MODEL:-vgg11}.onnx" "$out/neuroflux/report.json" \
        --methods "$method" --bp-lr "$bp_lr" --out "$out/torch" "$@" 2>&1
  } | stamp "$start" >> "$out/torch-$method.log"
}
[ -f "$out/neuroflux/report.json" ] || "$here/benchmarks/issue6-stringent-pair.sh" "$out" "$nf_lr" neuroflux
[ -s "$out/torch/torch-ll.json" ] || torch ll
[ -f "$out/bp/report.json" ] || "$here/benchmarks/issue6-stringent-pair.sh" "$out" "$bp_lr" bp
bp_batch=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["batch_size"])' "$out/bp/report.json")
[ -s "$out/torch/torch-bp.json" ] || torch bp --bp-batch "$bp_batch"
