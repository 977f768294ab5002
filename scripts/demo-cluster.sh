#!/usr/bin/env bash
# Berth on three Docker hosts on this machine: each host is a network namespace with its own dockerd, joined by a
# bridge that plays the hosts' network (the underlay); one etcd; one operator per host, inside its namespace as on a
# real host; an image registry they pull from. Then: an overlay Network, a replicated stack the scheduler spreads, a name resolved across hosts, a
# Route's Traefik keys, a GitOps commit synced, and a host killed and its replicas moved. Every step checks what it
# shows and the script exits 1 at the first check that fails.
#   scripts/demo.sh          run it (everything keeps running afterwards, to look around)
#   scripts/demo.sh stop     stop and remove all of it (namespaces, links, iptables rule, processes, files)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DEMO=${BERTH_ENV_HOME}/cluster-demo          # everything the demo writes
RUN=/run/berth-demo                          # dockerd sockets and exec roots
BRIDGE=bdemo0                                # the underlay between the hosts
NET_PREFIX=10.231.0                          # the underlay's addresses: .1 this machine, .11-.13 the hosts
ROOT_IP=$NET_PREFIX.1
ETCD_PORT=23791                              # the demo's etcd, on the underlay and on loopback
ETCD=http://127.0.0.1:$ETCD_PORT
PROM=127.0.0.1:19090
REGISTRY=$ROOT_IP:25000                      # the hosts' image registry (plain HTTP: the demo's dockerds allow it)
IMAGE=$REGISTRY/demo/busybox:1               # what examples/cluster/ runs
HOSTS=(1 2 3)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
host_name() { echo "demo-$1"; }
netns() { echo "berth-demo-$1"; }
host_ip() { echo "$NET_PREFIX.1$1"; }
sock() { echo "$RUN/h$1/docker.sock"; }
docker_on() { local h=$1; shift; DOCKER_HOST="unix://$(sock "$h")" /usr/bin/docker "$@"; }
berth() { bin/berth "$@"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid() { # stop_pid PIDFILE NAME [SIGNAL]: TERM (or SIGNAL), then KILL after 30 s
  local file=$1 name=$2 sig=${3:-TERM} pid
  alive "$file" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  log "stopping $name (pid $pid)"
  kill -"$sig" "$pid" 2>/dev/null || true
  disown "$pid" 2>/dev/null || true   # no "Killed" line from bash for its own background job
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
}

# Containers keep running under containerd shims after their dockerd is gone: kill the shims of this host's dockerd
# (found by its containerd address) so that nothing of the demo outlives it.
kill_shims() {
  local address="$RUN/h$1/exec/containerd"
  for p in $(pgrep -f -- "-address $address/" || true); do pkill -9 -P "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done
}

stop_host() { # stop_host N: operator, then every container, then dockerd
  local h=$1
  stop_pid "$DEMO/h$h/operator.pid" "operator $(host_name "$h")"
  if alive "$DEMO/h$h/dockerd.pid"; then
    docker_on "$h" ps -aq | xargs -r timeout 60 env DOCKER_HOST="unix://$(sock "$h")" /usr/bin/docker rm -f >/dev/null 2>&1 || true
  fi
  stop_pid "$DEMO/h$h/dockerd.pid" "dockerd of $(host_name "$h")"
  kill_shims "$h"
}

stop_all() {
  for h in "${HOSTS[@]}"; do stop_pid "$DEMO/h$h/operator.pid" "operator $(host_name "$h")"; done
  stop_pid "$DEMO/prometheus.pid" prometheus
  for h in "${HOSTS[@]}"; do
    stop_host "$h"
    ip netns delete "$(netns "$h")" 2>/dev/null || true
  done
  stop_pid "$DEMO/etcd.pid" "the demo's etcd"
  stop_pid "$DEMO/registry.pid" "the demo's registry"
  while iptables -D DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
  ip link delete "$BRIDGE" 2>/dev/null || true
  rm -rf "$DEMO" "$RUN"
  verify_clean
}

# What stop promises, checked: no namespace, link, iptables rule, process or file of the demo is left.
verify_clean() {
  local left=()
  for h in "${HOSTS[@]}"; do [ ! -e /var/run/netns/"$(netns "$h")" ] || left+=("namespace $(netns "$h")"); done
  ! ip -o link show | grep -q "bdemo" || left+=("links: $(ip -o link show | grep bdemo | awk -F': ' '{print $2}' | tr '\n' ' ')")
  ! iptables -S DOCKER-USER 2>/dev/null | grep -q -- "-i $BRIDGE " || left+=("iptables DOCKER-USER rule for $BRIDGE")
  local procs; procs=$(pgrep -f -- "$DEMO/|$RUN/|$PROM" || true)
  [ -z "$procs" ] || left+=("processes $(echo "$procs" | tr '\n' ' ')")
  [ ! -e "$DEMO" ] && [ ! -e "$RUN" ] || left+=("files under $DEMO or $RUN")
  if [ ${#left[@]} -gt 0 ]; then die "stop left behind: ${left[*]}"; fi
  log "cluster demo stopped; nothing of it is left"
}

start_dockerd() { # start_dockerd N: a dockerd inside the host's namespace (nsenter execs it: the pid is dockerd's)
  local h=$1
  mkdir -p "$DEMO/h$h/docker" "$RUN/h$h"
  nsenter --net=/var/run/netns/"$(netns "$h")" dockerd --data-root "$DEMO/h$h/docker" --exec-root "$RUN/h$h/exec" \
    --pidfile "$RUN/h$h/dockerd.pid" --host "unix://$(sock "$h")" --insecure-registry "$REGISTRY" >>"$DEMO/h$h/dockerd.log" 2>&1 &
  echo $! >"$DEMO/h$h/dockerd.pid"
  wait_for 90 "dockerd of $(host_name "$h") (see $DEMO/h$h/dockerd.log)" docker_on "$h" version
}

start_operator() { # start_operator N: `berth operator` inside the host's namespace, as on a real host
  local h=$1
  mkdir -p "$DEMO/h$h/state" "$DEMO/h$h/secrets"
  # Short failure detection for the demo (defaults: --host-ttl 15, --failover-after 30).
  nsenter --net=/var/run/netns/"$(netns "$h")" bin/berth operator \
    --host "$(host_name "$h")" --host-label zone=z$h --docker-host "unix://$(sock "$h")" \
    --etcd-endpoints "http://$ROOT_IP:$ETCD_PORT" --underlay-interface ul0 \
    --listen "$(host_ip "$h"):9464" --api-listen "$(host_ip "$h"):7443" \
    --state-dir "$DEMO/h$h/state" --secrets-dir "$DEMO/h$h/secrets" \
    --host-ttl 5 --failover-after 10 --resync 20 --probe-interval 2 >>"$DEMO/h$h/operator.log" 2>&1 &
  echo $! >"$DEMO/h$h/operator.pid"
}

operator_ready() { curl -fsS "http://$(host_ip "$1"):9464/readyz" >/dev/null; }

make_hosts() {
  say "three Docker hosts: network namespaces $(netns 1)..3 on bridge $BRIDGE ($NET_PREFIX.0/24), a dockerd in each"
  ip link add "$BRIDGE" type bridge
  ip addr add "$ROOT_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Docker in this machine's namespace sets FORWARD to DROP; traffic between the hosts crosses the bridge.
  if iptables -S DOCKER-USER >/dev/null 2>&1; then iptables -I DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT; fi
  for h in "${HOSTS[@]}"; do
    ip netns add "$(netns "$h")"
    ip link add "bdemo-h$h" type veth peer name ul0 netns "$(netns "$h")"
    ip link set "bdemo-h$h" master "$BRIDGE" up
    ip -n "$(netns "$h")" addr add "$(host_ip "$h")/24" dev ul0
    ip -n "$(netns "$h")" link set ul0 up
    ip -n "$(netns "$h")" link set lo up
  done
  for h in "${HOSTS[@]}"; do start_dockerd "$h" & done
  wait
  for h in "${HOSTS[@]}"; do
    echo "  $(host_name "$h"): underlay $(host_ip "$h") on ul0, dockerd $(sock "$h")"
  done
}

# A registry on the hosts' network. The image is pushed from demo-1; the other hosts pull it when Berth runs
# something there (the operator pulls before it creates a container).
start_registry() {
  say "an image registry on $REGISTRY; $IMAGE pushed from $(host_name 1), pulled by the other hosts"
  mkdir -p "$DEMO/registry"
  cat >"$DEMO/registry/config.yml" <<YAML
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $DEMO/registry/data}}
http: {addr: "$REGISTRY"}
YAML
  docker-registry serve "$DEMO/registry/config.yml" >"$DEMO/registry/registry.log" 2>&1 &
  echo $! >"$DEMO/registry.pid"
  wait_for 30 "the registry on $REGISTRY (see $DEMO/registry/registry.log)" curl -fsS "http://$REGISTRY/v2/"
  docker_cli save "$BERTH_TEST_IMAGE" | docker_on 1 load >/dev/null
  docker_on 1 tag "$BERTH_TEST_IMAGE" "$IMAGE"
  docker_on 1 push "$IMAGE" | tail -1 | sed 's/^/  /'
}

start_etcd() {
  say "etcd on $ROOT_IP:$ETCD_PORT (the hosts' network) and $ETCD (this machine's command line)"
  mkdir -p "$DEMO/etcd"
  etcd --name berth-demo --data-dir "$DEMO/etcd/data" \
    --listen-client-urls "$ETCD,http://$ROOT_IP:$ETCD_PORT" --advertise-client-urls "http://$ROOT_IP:$ETCD_PORT" \
    --listen-peer-urls http://127.0.0.1:23801 --initial-advertise-peer-urls http://127.0.0.1:23801 \
    --initial-cluster berth-demo=http://127.0.0.1:23801 >"$DEMO/etcd.log" 2>&1 &
  echo $! >"$DEMO/etcd.pid"
  wait_for 30 "the demo's etcd (see $DEMO/etcd.log)" env ETCDCTL_API=3 etcdctl --endpoints "$ETCD" endpoint health
}

make_git_repository() {
  local repo=$DEMO/git/stacks.git work=$DEMO/git/work
  mkdir -p "$DEMO/git"
  git init -q --bare -b main "$repo"
  git init -q -b main "$work"
  mkdir -p "$work/stacks"
  hello_stack 1 >"$work/stacks/hello.yaml"
  git -C "$work" add -A
  git -C "$work" -c user.name=demo -c user.email=demo@localhost commit -q -m "hello, one replica"
  git -C "$work" push -q "$repo" main
}

hello_stack() { # the stack GitOps keeps in the repository, with N replicas
  cat <<YAML
apiVersion: berth.dev/v1
kind: Stack
metadata: {name: hello}
spec:
  services:
    - name: hello
      image: $IMAGE
      replicas: $1
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
      init: true
YAML
}

# Prometheus with the shipped scrape configuration and alert rules, its target list the three operators.
start_prometheus() {
  mkdir -p "$DEMO/prometheus"
  cp charts/prometheus/berth-alerts.yml "$DEMO/prometheus/"
  {
    sed -n '/^scrape_configs:/q;p' charts/prometheus/prometheus.yml
    cat <<YAML
scrape_configs:
  - job_name: berth
    metrics_path: /metrics
    scrape_timeout: 10s
    static_configs:
YAML
    for h in "${HOSTS[@]}"; do
      printf '      - targets: ["%s:9464"]\n        labels: {host: %s}\n' "$(host_ip "$h")" "$(host_name "$h")"
    done
  } >"$DEMO/prometheus/prometheus.yml"
  promtool check config "$DEMO/prometheus/prometheus.yml" >/dev/null
  prometheus --config.file "$DEMO/prometheus/prometheus.yml" --storage.tsdb.path "$DEMO/prometheus/data" \
    --web.listen-address "$PROM" >"$DEMO/prometheus/prometheus.log" 2>&1 &
  echo $! >"$DEMO/prometheus.pid"
}

prometheus_up() {
  [ "$(curl -fsS "http://$PROM/api/v1/query" --data-urlencode 'query=count(up{job="berth"} == 1)' \
    | grep -o '"value":\[[^]]*\]' | grep -o '"[0-9]*"\]$')" = '"3"]' ]
}

# -- checks on what Berth reports ------------------------------------------------------------------------------------

hosts_ready() { [ "$(berth get hosts --no-headers 2>/dev/null | grep -c ' Ready ')" = "$1" ]; }
running_on() { # running_on STACK: the host of each running container of STACK, one per line (berth ps)
  berth ps "$1" --no-headers 2>/dev/null | awk '$4=="running" {print $1}'
}
spread_over() { [ "$(running_on "$1" | sort -u | wc -l)" -ge "$2" ]; }
running_without() { # running_without STACK N HOST: N containers of STACK running, none of them on HOST
  local hosts; hosts=$(running_on "$1")
  [ "$(grep -c . <<<"$hosts")" = "$2" ] && ! grep -qx "$3" <<<"$hosts"
}
shell_on() { docker_on "$1" ps -q --filter label=berth.dev/owner=stack/shell | head -1; }
fetch_web_from() { # fetch_web_from N: from the shell container on host N, by name, through the overlay
  local c; c=$(shell_on "$1"); [ -n "$c" ] || return 1
  docker_on "$1" exec "$c" timeout 5 wget -q -O - http://httpd.web:8080/
}
traefik_servers() { [ "$(etcdctl --endpoints "$ETCD" get --prefix traefik/http/services/ --keys-only | grep -c '/url$')" = "$1" ]; }
running_count() { [ "$(running_on "$1" | grep -c .)" = "$2" ]; }

demo() {
  [ "$(id -u)" = 0 ] || die "run as root (network namespaces, dockerd and etcd need it)"
  if ip link show "$BRIDGE" >/dev/null 2>&1 || [ -d "$DEMO" ]; then
    log "a previous cluster demo is still here: stopping it first"
    stop_all
  fi
  scripts/env-up.sh   # packages, the image (built by this machine's private dockerd from busybox-static)
  source "$BERTH_ENV_HOME/env.sh"
  export BERTH_ETCD_ENDPOINTS=$ETCD ETCDCTL_API=3
  unset ETCDCTL_ENDPOINTS   # env.sh points etcdctl at the test etcd; here every call names the demo's
  local started=$SECONDS
  log "building berth (mvn package, tests skipped; scripts/test.sh runs them)"
  mvn -B -q -ntp -DskipTests package
  berth validate -f examples/cluster/

  make_hosts
  start_etcd
  start_registry
  make_git_repository

  say "one operator per host, each inside its host's namespace (logs: $DEMO/h*/operator.log)"
  for h in "${HOSTS[@]}"; do start_operator "$h"; done
  for h in "${HOSTS[@]}"; do wait_for 90 "operator $(host_name "$h")'s /readyz (see $DEMO/h$h/operator.log)" operator_ready "$h"; done
  wait_for 60 "three Ready hosts in berth get hosts" hosts_ready 3
  berth get hosts

  say "berth apply -f examples/cluster/  (a Network, two stacks, a Route, a GitSource)"
  berth apply -f examples/cluster/
  berth wait --for=condition=Ready --timeout 120s stack/web stack/shell
  wait_for 60 "web's three replicas on three hosts" spread_over web 3
  say "berth ps web: the scheduler spread the three replicas over the hosts"
  berth ps web

  say "berth doctor: every host probes every other through the overlay"
  wait_for 60 "berth doctor to find every pair of hosts ok" berth doctor
  berth doctor

  say "names across hosts: from the shell container on $(host_name 1), http://httpd.web:8080/ three times"
  wait_for 30 "httpd.web to answer on $(host_name 1)" fetch_web_from 1
  for _ in 1 2 3; do echo "  $(fetch_web_from 1)"; done
  docker_on 1 exec "$(shell_on 1)" timeout 5 nslookup httpd.web 2>/dev/null | sed -n '/^Name:/,$p' | grep . | sed 's/^/  /'

  say "the Route's Traefik keys in etcd (a Traefik with the etcd provider serves web.demo.local from them)"
  wait_for 30 "three servers under traefik/http/services/" traefik_servers 3
  etcdctl --endpoints "$ETCD" get --prefix traefik/http/ | paste - - | sed 's/^/  /'

  say "GitOps: stacks/hello.yaml from $DEMO/git/stacks.git; a commit changes its replicas from 1 to 2"
  berth wait --for=condition=Ready --timeout 60s stack/hello
  hello_stack 2 >"$DEMO/git/work/stacks/hello.yaml"
  git -C "$DEMO/git/work" -c user.name=demo -c user.email=demo@localhost commit -q -am "hello, two replicas"
  local pushed=$SECONDS
  git -C "$DEMO/git/work" push -q "$DEMO/git/stacks.git" main
  wait_for 60 "hello to run two replicas after the commit" running_count hello 2
  echo "  synced and running 2 replicas $((SECONDS - pushed)) s after git push"
  berth get gitsources

  say "a host dies: $(host_name 3)'s operator and dockerd are killed with its containers, its network link goes down"
  berth ps web
  stop_pid "$DEMO/h3/operator.pid" "operator $(host_name 3)" KILL
  stop_host 3
  # A dead machine answers nothing: while the overlay still reached its gateway, Berth would call it Unknown (its
  # containers may still serve) and move nothing for --failover-after-unknown (5 minutes).
  ip -n "$(netns 3)" link set ul0 down
  local killed=$SECONDS
  wait_for 90 "web's three replicas running on $(host_name 1) and $(host_name 2)" running_without web 3 "$(host_name 3)"
  echo "  replicas of $(host_name 3) running elsewhere $((SECONDS - killed)) s after the kill (host TTL 5 s + failover-after 10 s)"
  berth get hosts
  berth ps web

  say "$(host_name 3) comes back: its link, dockerd and operator start again"
  ip -n "$(netns 3)" link set ul0 up
  start_dockerd 3
  start_operator 3
  wait_for 90 "three Ready hosts again" hosts_ready 3
  wait_for 60 "web Ready with three replicas" berth wait --for=condition=Ready --timeout 5s stack/web
  berth get hosts

  start_prometheus
  wait_for 60 "Prometheus on $PROM to scrape the three operators" prometheus_up

  echo
  log "the cluster demo ran in $((SECONDS - started)) s"
  cat <<TXT

Look around (the demo keeps running):
  export BERTH_ETCD_ENDPOINTS=$ETCD
  bin/berth get stacks -o wide; bin/berth ps; bin/berth describe stack web; bin/berth events
  bin/berth doctor; bin/berth get networks; bin/berth get routes
  docker -H unix://$(sock 1) ps             # what Berth runs on $(host_name 1)
  Prometheus: http://$PROM (targets, the shipped alert rules under /alerts), scraping $(host_ip 1)-3:9464
  Grafana: import charts/grafana/berth-*.json with a Prometheus data source at http://$PROM
  Operator logs: $DEMO/h*/operator.log
Stop and remove everything:  scripts/demo.sh stop
TXT
}

case "${1:-}" in
  stop) stop_all ;;
  "") demo ;;
  *) die "usage: scripts/demo.sh [--single] [stop]" ;;
esac
