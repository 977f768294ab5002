# Shared settings for Berth's scripts. Sourced, not run.
# Everything lives under BERTH_ENV_HOME and on private sockets/ports, so a system Docker or etcd is never touched.
BERTH_ENV_HOME=${BERTH_ENV_HOME:-/var/lib/berth-env}
BERTH_RUN_DIR=${BERTH_RUN_DIR:-/run/berth-env}
BERTH_DOCKER_SOCK=${BERTH_DOCKER_SOCK:-$BERTH_RUN_DIR/docker.sock}
BERTH_ETCD_PORT=${BERTH_ETCD_PORT:-23790}
BERTH_ETCD_PEER_PORT=${BERTH_ETCD_PEER_PORT:-23800}
BERTH_TEST_IMAGE=${BERTH_TEST_IMAGE:-berth-test/busybox:1}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '[berth-env] %s\n' "$*" >&2; }
die() { printf '[berth-env] error: %s\n' "$*" >&2; exit 1; }

# Debian's docker.io client, not a newer one that may sit earlier on PATH.
docker_cli() {
  local bin=/usr/bin/docker
  [ -x "$bin" ] || bin=docker
  DOCKER_HOST="unix://$BERTH_DOCKER_SOCK" "$bin" "$@"
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${limit}s waiting for $what"
    sleep 0.2
  done
}
