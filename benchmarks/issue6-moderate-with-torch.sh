#!/usr/bin/env bash
# Issue 6 at the moderate budget in one sitting: `neuroflux compare` of the methods named (default
# bp,bp-checkpoint,neuroflux) on vgg11 at 280 MiB (benchmarks/issue6-moderate-compare.sh), then PyTorch beside the
# neuroflux run it wrote (benchmarks/torch-side-by-side.sh: PyTorch's block-wise local learning with neuroflux's
# blocks, and PyTorch's backprop at the batch neuroflux's bp ran at). Run it on a quiet machine.
#
#   benchmarks/issue6-moderate-with-torch.sh OUT_DIR [METHODS]
#   MODEL=resnet18 BUDGET=600MiB benchmarks/issue6-moderate-with-torch.sh OUT_DIR bp,bp-checkpoint,ll,neuroflux
# Started again with the same arguments it goes on where it stopped: compare keeps finished methods and continues
# a stopped one, PyTorch's local learning continues after its last finished block, and a finished PyTorch run is
# not run again.
# Writes OUT_DIR/compare.md (and the rest of the compare), OUT_DIR/torch/torch-side-by-side.md, and their logs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/benchmarks/stamp.sh"
out=${1:?usage: issue6-moderate-with-torch.sh OUT_DIR [METHODS]}
methods=${2:-bp,bp-checkpoint,neuroflux}
case ",$methods," in *,neuroflux,*) ;; *) echo "METHODS must include neuroflux (PyTorch reproduces its run)" >&2; exit 2 ;; esac
"$here/benchmarks/issue6-moderate-compare.sh" "$out" "$methods"
bp_batch=()
if [ -f "$out/compare/bp/report.json" ]; then
  bp_batch=(--bp-batch "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["batch_size"])' \
      "$out/compare/bp/report.json")")
fi
torch() {
  local method=$1 start
  start=$(date +%s)
  {
    echo "torch $method start $(date -u +%H:%M:%S)"
    /usr/bin/time -v "$here/benchmarks/torch-side-by-side.sh" "$out/${MODEL:-vgg11}.onnx" \
        "$out/compare/neuroflux/report.json" "${bp_batch[@]}" --methods "$method" --out "$out/torch" 2>&1
  } | stamp "$start" >> "$out/torch-$method.log"
}
[ -s "$out/torch/torch-ll.json" ] || torch ll
[ -s "$out/torch/torch-bp.json" ] || torch bp
