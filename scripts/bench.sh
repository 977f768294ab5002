#!/usr/bin/env bash
# Berth's benchmarks (issue 9), side by side against the raw baselines on this machine: convergence (docker-java,
# docker-compose), steady state (calls per resync, cross-checked by a counting proxy on the Docker socket),
# reaction, etcd → running, FDB programming (bridge -batch) and memory; the scheduler's planner alone, the scheduler
# end to end (1,000 stacks on 49 simulated hosts → all assignments in etcd) and failover on a three-host namespace
# bed (host killed → its replicas running elsewhere) (issue 14); pull + start of an image only a local registry has,
# and three hosts pulling one new image at once (issue 16); Berth and Docker Swarm side by side on the same three-host
# bed (issue 21): convergence of 30 services, failover, the overlay data path (ping, iperf3) and the cost at rest.
# Not part of the normal build or tests.
#
#   scripts/bench.sh                      # everything; waits up to 10 min for a quiet machine, appends to BENCHMARKS.md
#   scripts/bench.sh --only steady,fdb    # some figures (the list is below)
#   scripts/bench.sh --runs 5 --quiet-wait 120 --force --out /tmp/results.md
#
#   --only F,F,...      only these figures (default: all, in the order below)
#   --runs N            runs per figure (default 3; the 100-stack convergence runs N-1, at least 2)
#   --quiet-wait S      seconds to wait for a quiet machine before starting (default 600; 0: do not wait)
#   --force             start at once, even on a busy machine (the parts that began busy are flagged)
#   --out FILE          where the results are added (default BENCHMARKS.md)
#   BENCH_STEADY_STACKS=25 scripts/bench.sh --only steady   # 500 containers as 25 stacks × 20 replicas, for a daemon
#                                                           # without env-up.sh's large address pool (~30 networks)
#
# Installs what it needs with apt-get (docker-compose for baseline B), starts dockerd and etcd (env-up.sh), builds
# (mvn -Pbench), then runs dev.berth.bench.Bench. Everything it creates carries the run's id (bb<id>…, label
# berth-bench=<id>, etcd prefix /berth-bench-<id>-…) and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# The same names, in the same order, as BenchArgs.FIGURES (BenchArgsTest checks it: mvn -Pbench -pl bench test).
FIGURES="planner scheduler steady reaction etcd memory memory-flags fdb failover names pull pull3 converge10 converge100 start-cost swarm-converge swarm-failover overlay-path rest-cost"
usage() {
  sed -n '2,/^set -euo/p' scripts/bench.sh | sed '$d; s/^# \{0,1\}//'
  printf '\nFigures: %s\n' "$FIGURES"
}
refuse() { die "$* (scripts/bench.sh --help)"; }
# Arguments are checked here, before dockerd, etcd and the build start (BenchArgs checks them again, the same way):
# a misspelt figure would otherwise run nothing, and an empty --only everything.
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    -h|--help) usage; exit 0 ;;
    --force) ;;
    --only|--runs|--quiet-wait|--out)
      opt=${args[i]}; i=$((i + 1))
      [[ $i -lt ${#args[@]} && ${args[i]} != --* ]] || refuse "$opt: a value is missing"
      val=${args[i]}
      case $opt in
        --only)
          IFS=, read -r -a figs <<<"$val,"
          for f in "${figs[@]}"; do
            [ -n "$f" ] || refuse "--only: an empty figure name in '$val'"
            [[ " $FIGURES " == *" $f "* && $f != *" "* ]] \
              || refuse "--only: unknown figure '$f'; expected some of ${FIGURES// /,}"
          done ;;
        --runs) [[ $val =~ ^[0-9]{1,9}$ ]] && (( 10#$val >= 1 )) \
          || refuse "--runs: expected a whole number of at least 1, got '$val'" ;;
        --quiet-wait) [[ $val =~ ^[0-9]{1,9}$ ]] || refuse "--quiet-wait: expected a whole number of at least 0, got '$val'" ;;
      esac ;;
    *) refuse "unknown argument '${args[i]}'" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "run as root (dockerd, etcd and network namespaces need it)"
scripts/env-up.sh
source "$BERTH_ENV_HOME/env.sh"
need=()
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v bridge >/dev/null || need+=(iproute2)
command -v nsenter >/dev/null || need+=(util-linux)
# The names figure relays etcd into the bed's namespaces.
command -v socat >/dev/null || need+=(socat)
# The overlay-path figure: TCP throughput from inside the containers' network namespaces (the image has no iperf3).
command -v iperf3 >/dev/null || need+=(iperf3)
# ... and where each path's CPU goes in the kernel (JFR does not see it).
command -v perf >/dev/null || need+=(linux-perf)
if [ ${#need[@]} -gt 0 ]; then
  log "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  mvn -B -ntp -q -o package -DskipTests -Pbench 2>/dev/null || mvn -B -ntp -q package -DskipTests -Pbench
fi
export BERTH_JAR=${BERTH_JAR:-$PWD/operator/target/berth.jar}
exec java -cp "bench/target/berth-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.berth.bench.Bench --out BENCHMARKS.md "$@"
