#!/usr/bin/env bash
# Start-up of the command line (issue 18): `berth --help`, `berth version` and `berth get stacks` (against the etcd
# of env.sh), each run --runs times (default 10), as bin/berth runs them (C1 only, AppCDS archive next to the jar)
# and as before (plain `java -jar`, the JVM's defaults). Prints the medians of wall and CPU time, [min–max], and the
# ratio to the goal:
# `get stacks` ≤ 1 s on an idle machine. The load average is printed first: on a busy machine the figures mean little.
# Not part of the build or the tests (nothing here is timed in a unit test).
#
#   scripts/startup.sh              # builds the jar if missing, 10 runs each
#   scripts/startup.sh --runs 20
set -euo pipefail
cd "$(dirname "$0")/.."
runs=10
[ "${1:-}" = "--runs" ] && runs=$2
[ -f /var/lib/berth-env/env.sh ] && source /var/lib/berth-env/env.sh
jar=operator/target/berth.jar
[ -f "$jar" ] || mvn -B -q -o package -DskipTests -pl operator -am
goal_ms=1000

# One command's wall time and CPU time (user + system, all its threads) in ms: "WALL CPU".
timed() {
  /usr/bin/time -f '%e %U %S' -o "$tmp" "$@" >/dev/null 2>&1 || true
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$tmp"
}

# The median of the numbers given on stdin, one a line.
median() {
  sort -n | awk '{ t[NR] = $1 } END { print int((t[int((NR + 1) / 2)] + t[int(NR / 2) + 1]) / 2) }'
}

# "median ms [min–max, n]" of the numbers given on stdin.
summary() {
  local sorted
  sorted=$(sort -n)
  echo "$(echo "$sorted" | median) [$(echo "$sorted" | head -1)–$(echo "$sorted" | tail -1)]"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
version=version
bin/berth version >/dev/null 2>&1 || version=--version   # `berth version` arrives with issue 18's part F
bin/berth --help >/dev/null 2>&1   # makes the AppCDS archive if it is missing or stale (not timed)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(java -version 2>&1 | head -1), $runs runs each"
echo "wall and CPU (user+system) time in ms, median [min–max]; on a busy machine wall time mostly measures the queue"
printf '%-12s %-24s %-24s %-24s %-24s %s\n' command "wall: bin/berth" "wall: java -jar" "CPU: bin/berth" \
  "CPU: java -jar" "ratio (wall, CPU)"
for cmd in "--help" "$version" "get stacks"; do
  # shellcheck disable=SC2086
  fast=$(for _ in $(seq "$runs"); do timed bin/berth $cmd; done)
  # shellcheck disable=SC2086
  slow=$(for _ in $(seq "$runs"); do timed java -jar "$jar" $cmd; done)
  row=()
  for set in "$fast" "$slow"; do row+=("$(echo "$set" | cut -d' ' -f1 | summary)"); done
  for set in "$fast" "$slow"; do row+=("$(echo "$set" | cut -d' ' -f2 | summary)"); done
  wall=$(echo "$fast" | cut -d' ' -f1 | median)
  cpu=$(echo "$fast" | cut -d' ' -f2 | median)
  ratio=$(awk -v a="$wall" -v b="$(echo "$slow" | cut -d' ' -f1 | median)" -v c="$cpu" \
    -v d="$(echo "$slow" | cut -d' ' -f2 | median)" 'BEGIN { printf "%.2f×, %.2f× of before", a / b, c / d }')
  if [ "$cmd" = "get stacks" ]; then
    ratio="$ratio; wall $(awk -v a="$wall" -v g="$goal_ms" 'BEGIN { printf "%.2f× of the goal (%d ms): %s", a / g, g, a <= g ? "met" : "missed" }')"
  fi
  printf '%-12s %-24s %-24s %-24s %-24s %s\n' "$cmd" "${row[@]}" "$ratio"
done
