# Sourced by the benchmark scripts: `... | stamp START > LOG` prefixes every line with the clock (UTC) and the
# seconds since START (epoch seconds), so that a log shows when each figure came.
stamp() {
  local start=$1
  while IFS= read -r line; do printf '%s +%ss %s\n' "$(date -u +%H:%M:%S)" "$(( $(date +%s) - start ))" "$line"; done
}
