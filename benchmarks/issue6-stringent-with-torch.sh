#!/usr/bin/env bash
# Issue 6 at the stringent budget in one sitting: neuroflux, then end-to-end backpropagation, on vgg11 (1x28x28) at
# 185.9 MiB (benchmarks/issue6-stringent-pair.sh, each method at its own peak learning rate: the better of 0.05
# and 0.1 by validation accuracy in earlier runs), then PyTorch beside the neuroflux run
# (benchmarks/torch-side-by-side.sh: PyTorch's block-wise local learning with neuroflux's blocks and rate, and
# PyTorch's backprop at the batch and rate neuroflux's bp ran at). Run it on a quiet machine.
#
#   benchmarks/issue6-stringent-with-torch.sh OUT_DIR [NEUROFLUX_LR [BP_LR]]    (defaults 0.1 and 0.05)
# Writes OUT_DIR/{neuroflux,bp}/report.json and their logs, OUT_DIR/torch/torch-side-by-side.md and torch.log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: issue6-stringent-with-torch.sh OUT_DIR [NEUROFLUX_LR [BP_LR]]}
nf_lr=${2:-0.1}
bp_lr=${3:-0.05}
"$here/benchmarks/issue6-stringent-pair.sh" "$out" "$nf_lr" neuroflux
"$here/benchmarks/issue6-stringent-pair.sh" "$out" "$bp_lr" bp
bp_batch=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["batch_size"])' "$out/bp/report.json")
start=$(date +%s)
{
  echo "torch start $(date -u +%H:%M:%S)"
  /usr/bin/time -v "$here/benchmarks/torch-side-by-side.sh" "$out/vgg11.onnx" "$out/neuroflux/report.json" \
      --bp-batch "$bp_batch" --bp-lr "$bp_lr" --out "$out/torch" 2>&1
} | while IFS= read -r line; do
  printf '%s +%ss %s\n' "$(date -u +%H:%M:%S)" "$(( $(date +%s) - start ))" "$line"
done > "$out/torch.log"
