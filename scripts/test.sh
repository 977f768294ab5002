#!/usr/bin/env bash
# The whole test suite: sets up the private dockerd and etcd (scripts/env-up.sh), then runs every module's
# unit and integration tests against them, then prints the reliability suite's figures (kept in
# target/reliability-figures.md) whether the tests passed or not. Extra arguments go to Maven (e.g. -pl crds,
# -Dtest=Name).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/env-up.sh
source "${BERTH_ENV_HOME:-/var/lib/berth-env}/env.sh"
rm -f operator/target/reliability/figures.tsv
status=0
mvn -B -ntp verify "$@" || status=$?
scripts/reliability-figures.sh || true
exit "$status"
