#!/usr/bin/env bash
# End-to-end backpropagation, neuroflux against PyTorch on the same architecture, the same threads and the same
# machine, one after the other in one sitting (issue: training on ONNX Runtime).
#   benchmarks/bp-vs-pytorch.sh [MODEL.onnx]     (default: the vgg-small-fmnist fixture)
# Prints one line per (framework, batch size) with training samples per second; PyTorch times steps on one
# random batch (its --throughput mode), neuroflux the training steps of an epoch over real batches.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-../shared/fixtures/vgg-small-fmnist/model.onnx}
threads=${THREADS:-2}
py=$(bash ../shared/reference/setup-torch.sh 2>/dev/null | tail -n 1)
out=$(mktemp -d)
for batch in 8 128; do
  steps=$(( batch == 8 ? 400 : 40 ))
  torch=$("$py" ../shared/reference/torch_reference.py "$model" --throughput --batch-size "$batch" \
      --steps "$steps" --threads "$threads" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["train_samples_per_s"], 1))')
  ./neuroflux train "$model" --method bp --data fashion-mnist --epochs 1 --batch-size "$batch" \
      --limit-train $(( batch * steps )) --threads "$threads" --out "$out/b$batch" 2>/dev/null >/dev/null
  nf=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["train_samples_per_s"], 1))' "$out/b$batch/report.json")
  echo "batch $batch: pytorch $torch samples/s, neuroflux $nf samples/s, ratio $(python3 -c "print(round($nf/$torch, 2))")"
done
rm -rf "$out"
