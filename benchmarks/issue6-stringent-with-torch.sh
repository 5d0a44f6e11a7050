#!/usr/bin/env bash
# Issue 6 at the stringent budget in one sitting, on vgg11 (1x28x28) at 185.9 MiB: neuroflux, then PyTorch beside
# that run (benchmarks/torch-side-by-side.sh: PyTorch's block-wise local learning with neuroflux's blocks and rate,
# and PyTorch's backprop at the batch the neuroflux run's planner gave backprop, at bp's rate), then neuroflux's
# end-to-end backpropagation (benchmarks/issue6-stringent-pair.sh). Each method runs at its own peak learning rate,
# the better of 0.05 and 0.1 by validation accuracy in earlier runs. bp goes last because it is the longest (over
# an hour); the order changes no figure. A step whose output is already there is skipped, so a sitting that was
# cut off goes on where it stopped. Run it on a quiet machine.
#
#   benchmarks/issue6-stringent-with-torch.sh OUT_DIR [NEUROFLUX_LR [BP_LR]]    (defaults 0.1 and 0.05)
# Writes OUT_DIR/{neuroflux,bp}/report.json and their logs, OUT_DIR/torch/torch-side-by-side.md and torch.log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: issue6-stringent-with-torch.sh OUT_DIR [NEUROFLUX_LR [BP_LR]]}
nf_lr=${2:-0.1}
bp_lr=${3:-0.05}
[ -f "$out/neuroflux/report.json" ] || "$here/benchmarks/issue6-stringent-pair.sh" "$out" "$nf_lr" neuroflux
if [ ! -f "$out/torch/torch-side-by-side.md" ]; then
  start=$(date +%s)
  {
    echo "torch start $(date -u +%H:%M:%S)"
    /usr/bin/time -v "$here/benchmarks/torch-side-by-side.sh" "$out/vgg11.onnx" "$out/neuroflux/report.json" \
        --bp-lr "$bp_lr" --out "$out/torch" 2>&1
  } | while IFS= read -r line; do
    printf '%s +%ss %s\n' "$(date -u +%H:%M:%S)" "$(( $(date +%s) - start ))" "$line"
  done > "$out/torch.log"
fi
[ -f "$out/bp/report.json" ] || "$here/benchmarks/issue6-stringent-pair.sh" "$out" "$bp_lr" bp
