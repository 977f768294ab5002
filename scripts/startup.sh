#!/usr/bin/env bash
# Start-up of the command line (issue 18): `berth --help`, `berth version` and `berth get stacks` (against the etcd
# of env.sh), each run --runs times (default 10), as bin/berth runs them (C1 only, AppCDS archive next to the jar)
# and as before (plain `java -jar`, the JVM's defaults). Prints the medians, [min–max], and the ratio to the goal:
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

# One command's wall time in ms.
timed() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

# "median [min–max]" of the times given on stdin, one a line; sets MEDIAN.
summary() {
  local sorted n
  sorted=$(sort -n)
  n=$(echo "$sorted" | wc -l)
  MEDIAN=$(echo "$sorted" | awk -v n="$n" 'NR == int((n + 1) / 2) { a = $1 } NR == int(n / 2) + 1 { b = $1 } END { print int((a + b) / 2) }')
  echo "$MEDIAN ms [$(echo "$sorted" | head -1)–$(echo "$sorted" | tail -1), n=$n]"
}

version=version
bin/berth version >/dev/null 2>&1 || version=--version   # `berth version` arrives with issue 18's part F
bin/berth --help >/dev/null 2>&1   # makes the AppCDS archive if it is missing or stale (not timed)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(java -version 2>&1 | head -1)"
printf '%-12s %-34s %-34s %s\n' command "bin/berth (C1, AppCDS)" "java -jar (before)" "ratio"
for cmd in "--help" "$version" "get stacks"; do
  # shellcheck disable=SC2086
  now=$(for _ in $(seq "$runs"); do timed bin/berth $cmd; done | summary)
  fast=$MEDIAN
  # shellcheck disable=SC2086
  before=$(for _ in $(seq "$runs"); do timed java -jar "$jar" $cmd; done | summary)
  ratio=$(awk -v a="$fast" -v b="$MEDIAN" 'BEGIN { printf "%.2f× of before", a / b }')
  if [ "$cmd" = "get stacks" ]; then
    ratio="$ratio; $(awk -v a="$fast" -v g="$goal_ms" 'BEGIN { printf "%.2f× of the goal (%d ms)%s", a / g, g, a <= g ? ", met" : ", missed" }')"
  fi
  printf '%-12s %-34s %-34s %s\n' "$cmd" "$now" "$before" "$ratio"
done
