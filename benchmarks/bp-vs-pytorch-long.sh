#!/usr/bin/env bash
# End-to-end backpropagation, neuroflux against PyTorch, with longer runs than bp-vs-pytorch.sh: PyTorch times 100
# steps at batch 128 (400 at batch 8), neuroflux trains 200 steps at batch 128 (400 at batch 8) over real batches,
# data preparation included; ROUNDS rounds, the two frameworks one after the other in each. Stop every other
# process on the machine while it runs (its figures swing several times over under load).
#   benchmarks/bp-vs-pytorch-long.sh [MODEL.onnx]      (default: the vgg-small-fmnist fixture; ROUNDS=2, THREADS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-../shared/fixtures/vgg-small-fmnist/model.onnx}
threads=${THREADS:-2}
rounds=${ROUNDS:-2}
py=$(bash ../shared/reference/setup-torch.sh 2>/dev/null | tail -n 1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for round in $(seq 1 "$rounds"); do
  for batch in 8 128; do
    torch_steps=$(( batch == 8 ? 400 : 100 ))
    nf_steps=$(( batch == 8 ? 400 : 200 ))
    torch=$("$py" ../shared/reference/torch_reference.py "$model" --throughput --batch-size "$batch" \
        --steps "$torch_steps" --threads "$threads" \
        | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["train_samples_per_s"], 1))')
    ./neuroflux train "$model" --method bp --data fashion-mnist --epochs 1 --batch-size "$batch" \
        --limit-train $(( batch * nf_steps )) --threads "$threads" --out "$out/r$round-b$batch" >/dev/null 2>&1
    nf=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["train_samples_per_s"], 1))' \
        "$out/r$round-b$batch/report.json")
    echo "round $round batch $batch: pytorch $torch samples/s, neuroflux $nf samples/s," \
        "ratio $(python3 -c "print(round($nf / $torch, 2))")"
  done
done
