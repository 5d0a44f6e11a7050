#!/usr/bin/env bash
# Issue 4's memory benchmark: for each model at each budget, `neuroflux plan --verify --json` predicts every
# block's peak at the planned batch, measures it over real training steps (lowering the batch where the
# measurement exceeds the usable budget), and gives the prediction at the batch it measured. The summary table
# lists every block: budget, batch, predicted and measured peak, error, and whether the measured peak is within
# the budget.
#
#   benchmarks/plan-verify-grid.sh [OUT_DIR] [MODEL:BUDGET,BUDGET,... ...]
#
# Defaults: vgg11, resnet18 and mobilenet_v2 (built by `neuroflux model`, 1x28x28, 10 classes) on Fashion-MNIST
# at the budgets below (the first of each is stringent: end-to-end backpropagation fits a batch of at most 8).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$here/benchmarks/results/plan-verify-grid}
shift || true
grid=("$@")
if [ ${#grid[@]} -eq 0 ]; then
  grid=(vgg11:188MiB,320MiB,1GiB resnet18:240MiB,384MiB,1GiB mobilenet_v2:128MiB,384MiB,1GiB)
fi
threads=${THREADS:-2}
mkdir -p "$out"
for entry in "${grid[@]}"; do
  model=${entry%%:*}
  budgets=${entry#*:}
  onnx="$out/$model.onnx"
  [ -f "$onnx" ] || "$here/neuroflux" model "$model" --input 1x28x28 --classes 10 --out "$onnx" >&2
  for budget in ${budgets//,/ }; do
    json="$out/$model-$budget.json"
    echo "plan --verify: $model at $budget" >&2
    if ! "$here/neuroflux" plan "$onnx" --data fashion-mnist --budget "$budget" --threads "$threads" \
        --verify --json >"$json.partial" 2>"$out/$model-$budget.log"; then
      echo "  failed: $(tail -n 1 "$out/$model-$budget.log")" >&2
      rm -f "$json.partial"
      continue
    fi
    mv "$json.partial" "$json"
  done
done
python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
mib = lambda b: "-" if b is None else f"{b / 2**20:.1f}"
rows, worst, over = [], 0.0, 0
for f in sorted(out.glob("*.json")):
    p = json.loads(f.read_text())
    budget = p["budget_bytes"]
    for i, b in enumerate(p["blocks"], 1):
        m, e = b.get("measured_peak_bytes"), b.get("prediction_error")
        within = "-" if m is None else ("yes" if m <= budget else "**no**")
        if m is not None and m > budget: over += 1
        if e is not None: worst = max(worst, abs(e))
        rows.append(f"| {f.stem.rsplit('-', 1)[0]} | {mib(budget)} | {p['bp_batch_size']} | {i} | "
                    f"{','.join(b['units'])} | {b['planned_batch_size']} | {b['batch_size']} | "
                    f"{mib(b['predicted_peak_at_measured_batch_bytes'])} | {mib(m)} | "
                    f"{'-' if e is None else f'{100 * e:+.1f}%'} | {within} |")
print("| model | budget MiB | bp batch | block | units | planned batch | measured batch | predicted MiB "
      "| measured MiB | error | within budget |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
print("\n".join(rows))
print(f"\nblocks: {len(rows)}; largest |error|: {100 * worst:.1f}%; measured peaks over the budget: {over}")
PY
