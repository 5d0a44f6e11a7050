#!/usr/bin/env bash
# Measures the packaged JVM-mode application's start-up and memory before any training starts; the figures in
# BENCHMARKS.md, section "Start-up and footprint (JVM mode)", come from it. Needs a built app (make build),
# /usr/bin/time (GNU time) and python3. Usage: benchmarks/startup-footprint.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/.ci/java-home"
runs=${1:-10}
app="$here/pipeline/target/quarkus-app/quarkus-run.jar"
[ -f "$app" ] || { echo "build first: make build" >&2; exit 2; }
# the JVM options ./neuroflux passes
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $("$JAVA_HOME/bin/java" -version 2>&1 | head -n1)"

# wall time, CPU time (user + system: less disturbed than wall time by other work on the machine) and peak
# resident memory (GNU time's %M, KiB) of whole runs
measure() {
  local label=$1; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$@" >/dev/null 2>&1 || true
    cat "$work/t"
  done | python3 -c '
import statistics, sys
label = sys.argv[1]
rows = [line.split() for line in sys.stdin]
wall = [float(r[0]) for r in rows]
rss = [int(r[1]) / 1024 for r in rows]
cpu = [float(r[2]) + float(r[3]) for r in rows]
print(f"{label:44} wall s: min {min(wall):.2f} median {statistics.median(wall):.2f} max {max(wall):.2f}"
      f" | CPU s median {statistics.median(cpu):.2f}"
      f" | max RSS MiB: min {min(rss):.0f} median {statistics.median(rss):.0f} max {max(rss):.0f}")' "$label"
}
measure "--help (Quarkus fast-jar)" "${java[@]}" -jar "$app" --help
measure "version (loads ONNX Runtime, runs a graph)" "${java[@]}" -jar "$app" version
measure "model vgg11 3x32x32 (writes 37 MB ONNX)" "${java[@]}" -jar "$app" model vgg11 --input 3x32x32 \
  --classes 10 --out "$work/m.onnx"
fixture="$here/../shared/fixtures/vgg-small-fmnist"
if [ -d "$fixture" ]; then
  measure "run vgg-small-fmnist on 4 images, 1 thread" "${java[@]}" -jar "$app" run "$fixture/model.onnx" \
    --input "$fixture/test_data_set_0/input_0.pb" --threads 1
fi
# the same Main without Quarkus, for its share of start-up (classes straight from the fast-jar's folders)
cp="$here/pipeline/target/quarkus-app/app/*:$here/pipeline/target/quarkus-app/lib/main/*:$here/pipeline/target/quarkus-app/lib/boot/*"
measure "--help (plain java -cp, no Quarkus)" "${java[@]}" -cp "$cp" neuroflux.pipeline.Main --help

# time from starting the process to the first line a command writes, and the resident memory at that moment
# (VmRSS from /proc): "version" prints its first line as it starts, before loading ONNX Runtime; with --verbose,
# the first line is Main's DEBUG line written just before the command starts (its first use of logging)
first_line() {
  python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, stream, label, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
secs, rss = [], []
for _ in range(runs):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (p.stdout if stream == "out" else p.stderr).readline()
    secs.append(time.monotonic() - start)
    with open(f"/proc/{p.pid}/status") as f:
        rss.append(next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024)
    p.communicate()
print(f"{label:44} s: min {min(secs):.2f} median {statistics.median(secs):.2f} max {max(secs):.2f}"
      f" | VmRSS then MiB: min {min(rss):.0f} median {statistics.median(rss):.0f} max {max(rss):.0f}")
PY
}
first_line out "first line of work (version, stdout)" "${java[@]}" -jar "$app" version
first_line err "first log line (--verbose version, stderr)" "${java[@]}" -jar "$app" --verbose version
