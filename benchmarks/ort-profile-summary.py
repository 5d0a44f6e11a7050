#!/usr/bin/env python3
"""Where a training step's time goes, per operator type, from ONNX Runtime's profiles.

Run neuroflux with NEUROFLUX_ORT_PROFILE=DIR (each session writes DIR/session-N_<time>.json when it closes), then:
    benchmarks/ort-profile-summary.py DIR [--top 15]
For each session file: the number of runs, and per operator type the kernel time per run (median over runs of
the per-run sum, so that one slow run does not move it), its share, and the node count. The first run is left out
(it allocates and warms up).
"""
import json
import pathlib
import statistics
import sys
from collections import defaultdict


def summarise(path, top):
    events = json.loads(path.read_text())
    runs = [e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    runs.sort(key=lambda e: e["ts"])
    if len(runs) < 2:
        print(f"{path.name}: {len(runs)} run(s), too few to summarise")
        return
    nodes = [e for e in events if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time")]
    per_run = [defaultdict(int) for _ in runs]
    counts = defaultdict(set)
    for n in nodes:
        t = n["ts"]
        for i, r in enumerate(runs):
            if r["ts"] <= t <= r["ts"] + r["dur"]:
                op = n.get("args", {}).get("op_name", "?")
                per_run[i][op] += n["dur"]
                counts[op].add(n["name"])
                break
    kept = per_run[1:]
    ops = {op for r in kept for op in r}
    medians = {op: statistics.median(r.get(op, 0) for r in kept) for op in ops}
    run_ms = statistics.median(r["dur"] for r in runs[1:]) / 1000
    total = sum(medians.values()) / 1000
    print(f"{path.name}: {len(runs)} runs; median run {run_ms:.1f} ms, kernels {total:.1f} ms")
    for op, us in sorted(medians.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {op:28s} {us / 1000:8.2f} ms  {100 * us / 1000 / max(total, 1e-9):5.1f}%  {len(counts[op]):4d} nodes")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: ort-profile-summary.py DIR [--top N]")
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 15
    files = sorted(pathlib.Path(sys.argv[1]).glob("*.json"))
    if not files:
        sys.exit(f"no profiles in {sys.argv[1]}")
    for f in files:
        summarise(f, top)


if __name__ == "__main__":
    main()
