#!/usr/bin/env bash
# Stops the dockerd and etcd that env-up.sh started (by their pidfiles); leaves any other daemon alone.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
stop_pidfile() {
  local file=$1 name=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}
stop_pidfile "$BERTH_RUN_DIR/dockerd.pid" dockerd
stop_pidfile "$BERTH_RUN_DIR/etcd.pid" etcd
