#!/usr/bin/env bash
# The published comparison (issue: honest baselines under the same budget): bp, bp-checkpoint, ll and neuroflux
# trained one after another by `neuroflux compare` on full Fashion-MNIST, for vgg11 and resnet18, each at two
# budgets read off the model's own profile: a stringent one, at which end-to-end backprop fits a batch of at most
# 8, and a moderate one, at which it fits about 64. Writes, per (model, budget), OUT/MODEL-BUDGETNAME/ with
# compare.md, compare.json, accuracy-vs-time.svg and each method's folder, and OUT/summary.md with every table.
#   benchmarks/compare.sh [--epochs E] [--limit-train N] [--threads N] [--models "vgg11 resnet18"] [--out DIR]
# A quick check that it works end to end: benchmarks/compare.sh --limit-train 1000 --epochs 1
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=10
limit=()
threads=$(nproc)
models="vgg11 resnet18"
out=runs/compare
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --limit-train) limit=(--limit-train "$2"); shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
summary="$out/summary.md"
echo "# neuroflux compare: Fashion-MNIST, $epochs epoch(s) ${limit[*]:-(full training set)}, $threads threads" > "$summary"

# The budget at which backprop's planner line (the larger of the measured and predicted bytes per sample, the
# measured fixed bytes where there are any; see UnitProfiler) plus what the process holds at rest after profiling
# (plan's resident_bytes, which the planner adds to every prediction) fits exactly BATCH samples, with the
# planner's 10% margin; each run still verifies its batch by measurement and searches for the largest that fits.
budget_for() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
profile = json.load(open(sys.argv[1]))
resident = json.load(open(sys.argv[2]))["resident_bytes"]
bp = profile["backprop"]
lines = [bp["predicted"]] + ([bp["measured"]] if "measured" in bp else [])
fixed = (bp.get("measured") or bp["predicted"])["fixed_bytes"]
per_sample = max(l["bytes_per_sample"] for l in lines)
print(int((fixed + resident + int(sys.argv[3]) * per_sample) / 0.9) + 1)
PY
}

for model in $models; do
  file="$out/$model-fmnist.onnx"
  ./neuroflux model "$model" --input 1x28x28 --classes 10 --out "$file" >/dev/null
  ./neuroflux profile "$file" --data fashion-mnist --threads "$threads" --json > "$out/$model-profile.json"
  ./neuroflux plan "$file" --data fashion-mnist --budget 64GiB --threads "$threads" --json > "$out/$model-plan.json"
  for setting in stringent:8 moderate:64; do
    name=${setting%%:*}
    batch=${setting##*:}
    budget=$(budget_for "$out/$model-profile.json" "$out/$model-plan.json" "$batch")
    dir="$out/$model-$name"
    echo "== $model, $name budget $budget bytes (backprop's profile line fits batch $batch)" >&2
    ./neuroflux compare "$file" --data fashion-mnist --budget "$budget" --epochs "$epochs" "${limit[@]}" \
        --threads "$threads" --seed 0 --methods bp,bp-checkpoint,ll,neuroflux --out "$dir"
    { echo; echo "## $model, $name budget ($budget bytes)"; echo; cat "$dir/compare.md"; } >> "$summary"
  done
done
echo "wrote $summary" >&2
