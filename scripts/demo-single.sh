#!/usr/bin/env bash
# Berth on one host: set up dockerd and etcd, build berth, start an operator for this host, apply examples/single/,
# wait until the stacks converge and fetch the example page.
#   scripts/demo.sh --single   run it (the operator keeps running in the background)
#   scripts/demo.sh stop       delete the example stacks, stop the operator, dockerd and etcd
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
DEMO_DIR="$BERTH_ENV_HOME/demo"
mkdir -p "$DEMO_DIR"
HOST_NAME=demo-host

stop_demo() {
  if [ -f "$BERTH_ENV_HOME/env.sh" ]; then
    source "$BERTH_ENV_HOME/env.sh"
    bin/berth delete -f examples/single/ >/dev/null 2>&1 || true
    if [ -f "$DEMO_DIR/operator.pid" ] && kill -0 "$(cat "$DEMO_DIR/operator.pid")" 2>/dev/null; then
      # Give the operator time to remove the example containers, then stop it gracefully.
      for _ in $(seq 1 60); do
        [ -z "$(docker_cli ps -aq --filter label=berth.dev/managed-by=berth)" ] && break
        sleep 0.5
      done
      kill -TERM "$(cat "$DEMO_DIR/operator.pid")" 2>/dev/null || true
    fi
    rm -f "$DEMO_DIR/operator.pid"
  fi
  scripts/env-down.sh
}

if [ "${1:-}" = stop ]; then stop_demo; exit 0; fi

scripts/env-up.sh
source "$BERTH_ENV_HOME/env.sh"
log "building berth (mvn package, tests skipped; scripts/test.sh runs them)"
mvn -B -q -ntp -DskipTests package
export BERTH_HOST=$HOST_NAME
bin/berth validate -f examples/single/

if [ -f "$DEMO_DIR/operator.pid" ] && kill -0 "$(cat "$DEMO_DIR/operator.pid")" 2>/dev/null; then
  log "operator already running (pid $(cat "$DEMO_DIR/operator.pid"))"
else
  log "starting the operator for host $HOST_NAME (log: $DEMO_DIR/operator.log)"
  nohup bin/berth operator --host "$HOST_NAME" --host-label role=demo --listen 127.0.0.1:9464 --api-listen 127.0.0.1:7443 --resync 30 \
    >"$DEMO_DIR/operator.log" 2>&1 &
  echo $! >"$DEMO_DIR/operator.pid"
  wait_for 60 "the operator's /readyz (see $DEMO_DIR/operator.log)" curl -fsS http://127.0.0.1:9464/readyz
fi

bin/berth apply -f examples/single/
log "waiting for the example stacks to be Ready"
all_ready() { [ "$(bin/berth get stacks | awk 'NR>1 && $3!="Ready"' | wc -l)" = 0 ] && [ "$(bin/berth get stacks | wc -l)" -gt 1 ]; }
wait_for 120 "the example stacks to be Ready" all_ready
bin/berth get stacks
echo
log "fetching the example page from the web stack's httpd (published on 127.0.0.1:18080):"
curl -fsS http://127.0.0.1:18080/
echo
log "the app stack's client reaches its api service by name over the stack's own network:"
# Not grep -q: it stops reading at the first match, and with pipefail the long log's writer then fails (SIGPIPE).
client_reached_api() { docker_cli logs --tail 20 app-client-1 2>&1 | grep api-ok >/dev/null; }
wait_for 30 "app-client-1 to fetch from api" client_reached_api
docker_cli logs app-client-1 2>&1 | tail -1
log "containers Berth runs:"
docker_cli ps --filter label=berth.dev/managed-by=berth --format 'table {{.Names}}\t{{.Image}}\t{{.Status}}'
cat <<TXT

Try:  source $BERTH_ENV_HOME/env.sh
      bin/berth describe stack web
      docker rm -f web-httpd-1    # the operator puts it back
      curl -s http://127.0.0.1:9464/metrics | grep ^berth_reconcile_total
Stop everything:  scripts/demo.sh stop
TXT
