#!/usr/bin/env bash
# The whole test suite: sets up the private dockerd and etcd (scripts/env-up.sh), then runs every module's
# unit and integration tests against them, then prints the reliability suite's figures (kept in
# target/reliability-figures.md) whether the tests passed or not, then runs the README's demo (scripts/demo.sh, the
# three-host cluster) and its stop, which fails if anything of the demo is left. Extra arguments go to Maven (e.g.
# -pl crds, -Dtest=Name) and skip the demo, as does BERTH_SKIP_DEMO=1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/env-up.sh
source "${BERTH_ENV_HOME:-/var/lib/berth-env}/env.sh"
rm -f operator/target/reliability/figures.tsv
status=0
mvn -B -ntp verify "$@" || status=$?
scripts/reliability-figures.sh || true
if [ $# -eq 0 ] && [ "${BERTH_SKIP_DEMO:-0}" != 1 ]; then
  log_demo() { printf '[berth-test] %s\n' "$*" >&2; }
  log_demo "the cluster demo (scripts/demo.sh), then its stop"
  mkdir -p target
  if scripts/demo-cluster.sh >target/demo.log 2>&1; then
    log_demo "demo: every check passed ($(grep -o 'ran in [0-9]* s' target/demo.log))"
  else
    status=1
    log_demo "demo FAILED; its output (target/demo.log):"
    tail -30 target/demo.log >&2
  fi
  if ! scripts/demo-cluster.sh stop >>target/demo.log 2>&1; then
    status=1
    log_demo "demo stop FAILED:"
    tail -5 target/demo.log >&2
  fi
fi
exit "$status"
