#!/usr/bin/env bash
# neuroflux beside PyTorch (issue: honest baselines): takes a finished `neuroflux compress` run and trains the same
# network with PyTorch on this machine, with that run's settings, two ways:
#   - block-wise local learning exactly as neuroflux does it (benchmarks/torch_local_learning.py --method ll: the
#     same units, heads and their initial weights, blocks and batch sizes, data split, batch order, optimizer,
#     one-cycle schedule per block, epochs, cached block outputs);
#   - end-to-end backpropagation (--method bp) at the run's bp_batch_size, the largest batch whose backprop fits
#     the run's budget (or --bp-batch N), at the run's learning rate (or --bp-lr R).
# Writes DIR/torch-ll.json, DIR/torch-bp.json, DIR/inspect.json and DIR/torch-side-by-side.md (printed too): the
# neuroflux run's exits beside PyTorch's, and time, throughput and peak memory of each.
#   benchmarks/torch-side-by-side.sh MODEL.onnx RUN/report.json [--limit-train N] [--threads N] [--bp-batch N]
#       [--bp-lr R] [--methods ll,bp] [--out DIR]   (default DIR: RUN/torch)
# PyTorch's local learning keeps its progress and caches in DIR/ll-state after each block: stopped, the same command
# goes on after its last finished block (removed once it ends).
# --methods runs only the PyTorch runs named (a sitting may put other runs between them); the table is written once
# both DIR/torch-ll.json and DIR/torch-bp.json are there.
# --limit-train and --threads default to the run's; a different --limit-train trains PyTorch on other data than
# neuroflux and the table says so. PyTorch comes from ../shared/reference/setup-torch.sh (local package files).
# For figures of one sitting, run the neuroflux compress right before this script on the same quiet machine, e.g.
#   ./neuroflux compress vgg11.onnx --budget 192MiB --epochs 1 --limit-train 2000 --threads 2 --out runs/nf
#   benchmarks/torch-side-by-side.sh vgg11.onnx runs/nf/report.json
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
model=$1
report=$2
shift 2
extra=()
methods=ll,bp
out=$(dirname "$report")/torch
while [ $# -gt 0 ]; do
  case "$1" in
    --limit-train|--threads|--bp-batch|--bp-lr) extra+=("$1" "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
py=$(bash ../shared/reference/setup-torch.sh | tail -n 1)
./neuroflux inspect "$model" --json > "$out/inspect.json"
for method in ll bp; do
  case ",$methods," in *,$method,*) ;; *) continue ;; esac
  echo "== PyTorch $method" >&2
  state=()
  [ "$method" = ll ] && state=(--state-dir "$out/ll-state")
  "$py" benchmarks/torch_local_learning.py "$model" --report "$report" --units "$out/inspect.json" \
      --method "$method" "${state[@]}" "${extra[@]}" > "$out/torch-$method.json.part"
  mv "$out/torch-$method.json.part" "$out/torch-$method.json"
done
if [ ! -s "$out/torch-ll.json" ] || [ ! -s "$out/torch-bp.json" ]; then
  echo "wrote the PyTorch run(s) named by --methods ($methods); the table needs both torch-ll.json and torch-bp.json" >&2
  exit 0
fi

python3 - "$report" "$out/torch-ll.json" "$out/torch-bp.json" > "$out/torch-side-by-side.md" <<'PY'
import json, sys
nf, ll, bp = (json.load(open(p)) for p in sys.argv[1:4])
pct = lambda x: f'{100 * x:.2f}%' if x is not None else '-'
mib = lambda b: f'{b / 2 ** 20:.0f} MiB' if b else '-'
print(f'# neuroflux beside PyTorch {ll["torch"]}: {nf["dataset"]}, {nf["train_samples"]:,} training samples,'
      f' {nf["epochs"]} epoch(s), {nf["threads"]} threads (neuroflux) / {ll["threads"]} (PyTorch)')
print()
if ll['train_samples'] != nf['train_samples']:
    print(f'**PyTorch trained on {ll["train_samples"]:,} samples, neuroflux on {nf["train_samples"]:,}:'
          ' the accuracies are not comparable.**')
    print()
print('## Exits (validation / test accuracy)')
print()
print('| exit | parameters | neuroflux | PyTorch local learning |')
print('| --- | --- | --- | --- |')
theirs = {e['unit']: e for e in ll['exits']}
for e in nf['exits']:
    t = theirs.get(e['unit'])
    print(f'| {e["unit"]} {e["exit"]} | {e["params"]:,} |'
          f' {pct(e["val_accuracy"])} / {pct(e["test_accuracy"])}{" (selected)" if nf["selected_exit"] == e["unit"] else ""} |'
          f' {pct(t["val_accuracy"]) if t else "-"} / {pct(t["test_accuracy"]) if t else "-"}'
          f'{" (selected)" if ll["selected_exit"] == e["unit"] else ""} |')
b = bp['exits'][0]
print(f'| PyTorch backprop, batch {bp["batch_size"]}: classifier | {b["params"]:,} | - |'
      f' {pct(b["val_accuracy"])} / {pct(b["test_accuracy"])} |')
print()
print('## Blocks')
print()
print('Training wall time, samples/s and training peak memory above the process at rest before the first block'
      ' (neuroflux\'s time includes its checkpoint after each epoch; PyTorch\'s peak is the resident set\'s'
      ' high-water mark during the block minus the resident set at rest).')
print()
print('| block | units | batch | neuroflux s | neuroflux samples/s | neuroflux peak | PyTorch s | PyTorch samples/s'
      ' | PyTorch peak | PyTorch caching pass s |')
print('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
above = lambda peak, rest: mib(peak - rest) if peak and rest else '-'
for i, (n, t) in enumerate(zip(nf['blocks'], ll['blocks'])):
    units = ', '.join(str(u) for u in n['units'])
    print(f'| {i + 1} | {units} | {n["batch_size"]} | {n["wall_time_s"]:.1f} | {n["samples_per_s"]:.1f} |'
          f' {mib(n.get("measured_peak_bytes"))} | {t["train_wall_s"]:.1f} | {t["samples_per_s"]:.1f} |'
          f' {above(t.get("train_peak_rss_bytes"), ll["rss_at_rest_bytes"])} | {t["cache_pass_s"]:.1f} |')
print()
print('## Runs')
print()
print('| run | wall time s | peak memory | selected exit: test accuracy |')
print('| --- | --- | --- | --- |')
sel = next(e for e in nf['exits'] if e['unit'] == nf['selected_exit'])
print(f'| neuroflux compress (budget {mib(nf["budget_bytes"])}, peak lr {nf["lr"]}) | {nf["wall_time_s"]:.1f} |'
      f' {mib(nf.get("peak_memory_bytes"))} (training peak above the process at rest) |'
      f' {sel["unit"]}: {pct(nf["test_accuracy"])} |')
sel = next(e for e in ll['exits'] if e['unit'] == ll['selected_exit'])
print(f'| PyTorch local learning (peak lr {ll["lr"]}) | {ll["wall_time_s"]:.1f} | {mib(ll["peak_rss_bytes"])} (peak RSS of the process;'
      f' {mib(ll["rss_at_rest_bytes"])} at rest) | {sel["unit"]}: {pct(sel["test_accuracy"])} |')
print(f'| PyTorch backprop, batch {bp["batch_size"]}, peak lr {bp["lr"]} ({bp["train_wall_s"]:.1f} s training,'
      f' {bp["samples_per_s"]:.1f} samples/s, training peak'
      f' {above(bp.get("train_peak_rss_bytes"), bp["rss_at_rest_bytes"])} above rest) | {bp["wall_time_s"]:.1f} |'
      f' {mib(bp["peak_rss_bytes"])} (peak RSS of the process; {mib(bp["rss_at_rest_bytes"])} at rest) |'
      f' classifier: {pct(bp["exits"][0]["test_accuracy"])} |')
print()
print('Wall times: neuroflux\'s covers its whole run (profiling, plan check, training, caching passes, export and'
      ' the written model\'s test); PyTorch\'s covers loading data and model, training and (local learning) the'
      ' caching passes.')
PY
cat "$out/torch-side-by-side.md"
echo "wrote $out/torch-side-by-side.md" >&2
