#!/usr/bin/env bash
# Installs (apt-get) and starts what Berth and its tests need, on private sockets and ports:
#   Debian's docker.io daemon (own data-root, exec-root, socket, pidfile), Debian's etcd-server,
#   the JDK and Maven, and the local test image built from busybox-static (no registry is reachable).
# Reuses a daemon that is already running from an earlier call. Writes $BERTH_ENV_HOME/env.sh to source.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root (dockerd, etcd and network namespaces need it)"

install_packages() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v etcd >/dev/null || need+=(etcd-server)
  command -v etcdctl >/dev/null || need+=(etcd-client)
  # The test image needs the static busybox (a dynamic one cannot run in an empty image).
  dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
  command -v ip >/dev/null || need+=(iproute2)
  # The overlay prober pings peers through each Network (one small and one full-size packet).
  command -v ping >/dev/null || need+=(iputils-ping)
  command -v curl >/dev/null || need+=(curl)
  command -v pgrep >/dev/null || need+=(procps)
  command -v mvn >/dev/null || need+=(maven)
  command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
  command -v nsenter >/dev/null || need+=(util-linux)
  command -v iptables >/dev/null || need+=(iptables)
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)   # the GitOps ssh test runs its own sshd on loopback
  command -v git >/dev/null || need+=(git)
  command -v prometheus >/dev/null || need+=(prometheus)   # promtool too; tests run their own instance
  # The image tests run their own registry (TestRegistry): distribution 2.8, bcrypt htpasswd, a test CA.
  command -v docker-registry >/dev/null || need+=(docker-registry)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v openssl >/dev/null || need+=(openssl)
  # The reliability suite: Berth behind a socket proxy (HAProxy, as charts/deploy/socket-proxy.md configures it).
  command -v haproxy >/dev/null || need+=(haproxy)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Install only: no package may start a system service (sshd, etcd, prometheus, docker-registry) on this machine.
    local policy=/usr/sbin/policy-rc.d created_policy=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    if [ -n "$created_policy" ]; then rm -f "$policy"; trap - EXIT; fi
  fi
}

start_dockerd() {
  mkdir -p "$BERTH_ENV_HOME/docker" "$BERTH_RUN_DIR/docker-exec"
  if docker_cli version >/dev/null 2>&1; then log "dockerd already running on $BERTH_DOCKER_SOCK"; return; fi
  log "starting dockerd on unix://$BERTH_DOCKER_SOCK"
  launch_dockerd
  local deadline=$((SECONDS + 60)) store="$BERTH_ENV_HOME/docker/network/files/local-kv.db"
  until docker_cli version >/dev/null 2>&1; do
    if ! kill -0 "$!" 2>/dev/null && grep -q 'reservePools' "$BERTH_ENV_HOME/dockerd.log" && [ -f "$store" ]; then
      # Docker 20.10 panics at start when a network was half-created before an unclean stop. This daemon is the
      # test environment's own: set its network store aside (kept, renamed) and start again.
      log "dockerd's network store is damaged (panic in reservePools); keeping it as $store.damaged and starting again"
      mv "$store" "$store.damaged-$(date +%s)"
      launch_dockerd
    fi
    [ $SECONDS -lt $deadline ] || die "timed out after 60s waiting for dockerd (see $BERTH_ENV_HOME/dockerd.log)"
    sleep 0.2
  done
}

launch_dockerd() {
  # Each stack has a network of its own: Docker's default pools hold only ~30 networks, so give it 4096 /24s
  # (10.224.0.0/12, clear of the ranges the tests use).
  nohup dockerd \
    --data-root "$BERTH_ENV_HOME/docker" \
    --exec-root "$BERTH_RUN_DIR/docker-exec" \
    --pidfile "$BERTH_RUN_DIR/dockerd.pid" \
    --host "unix://$BERTH_DOCKER_SOCK" \
    --default-address-pool base=10.224.0.0/12,size=24 \
    >"$BERTH_ENV_HOME/dockerd.log" 2>&1 &
}

start_etcd() {
  local endpoint="http://127.0.0.1:$BERTH_ETCD_PORT"
  # etcdctl refuses --endpoints beside ETCDCTL_ENDPOINTS, which env.sh exports: a shell that sourced it runs this too.
  unset ETCDCTL_ENDPOINTS
  if ETCDCTL_API=3 etcdctl --endpoints "$endpoint" --dial-timeout 2s endpoint health >/dev/null 2>&1; then
    log "etcd already running on $endpoint"; return
  fi
  local pid
  pid=$(pgrep -f -o "etcd --name berth-env --data-dir $BERTH_ENV_HOME/etcd/data" || true)
  if [ -n "$pid" ]; then
    # Ours runs but did not answer within 2 s (a loaded machine): a second one could not bind its ports anyway.
    log "etcd (pid $pid) runs but is slow to answer; waiting for it"
    echo "$pid" >"$BERTH_RUN_DIR/etcd.pid"
    wait_for 60 "etcd (pid $pid; see $BERTH_ENV_HOME/etcd.log)" env ETCDCTL_API=3 etcdctl --endpoints "$endpoint" endpoint health
    return
  fi
  log "starting etcd on $endpoint"
  mkdir -p "$BERTH_ENV_HOME/etcd"
  # Compacted every hour (history older than that goes): a machine that runs the suite and the benchmarks for days
  # otherwise grows the database without end (171 MB after a day here), which slows every write and would reach
  # etcd's 2 GB quota. No test watches from a revision an hour old.
  nohup etcd --name berth-env --data-dir "$BERTH_ENV_HOME/etcd/data" \
    --auto-compaction-mode periodic --auto-compaction-retention 1h \
    --listen-client-urls "$endpoint" --advertise-client-urls "$endpoint" \
    --listen-peer-urls "http://127.0.0.1:$BERTH_ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$BERTH_ETCD_PEER_PORT" \
    --initial-cluster "berth-env=http://127.0.0.1:$BERTH_ETCD_PEER_PORT" \
    >"$BERTH_ENV_HOME/etcd.log" 2>&1 &
  echo $! >"$BERTH_RUN_DIR/etcd.pid"
  wait_for 30 "etcd (see $BERTH_ENV_HOME/etcd.log)" env ETCDCTL_API=3 etcdctl --endpoints "$endpoint" endpoint health
}

build_test_image() {
  if docker_cli image inspect "$BERTH_TEST_IMAGE" >/dev/null 2>&1; then return; fi
  log "building $BERTH_TEST_IMAGE from busybox-static"
  local dir; dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/www" "$dir/etc"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/:/bin/sh' >"$dir/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  echo '<h1>Served by Berth</h1>' >"$dir/www/index.html"
  chmod 1777 "$dir/tmp"
  tar -C "$dir" -c . | docker_cli import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$BERTH_TEST_IMAGE" >/dev/null
  rm -rf "$dir"
}

install_packages
mkdir -p "$BERTH_ENV_HOME" "$BERTH_RUN_DIR"
start_dockerd
start_etcd
build_test_image
cat >"$BERTH_ENV_HOME/env.sh" <<ENV
export BERTH_DOCKER_HOST=unix://$BERTH_DOCKER_SOCK
export DOCKER_HOST=unix://$BERTH_DOCKER_SOCK
export BERTH_ETCD_ENDPOINTS=http://127.0.0.1:$BERTH_ETCD_PORT
export ETCDCTL_API=3
export ETCDCTL_ENDPOINTS=http://127.0.0.1:$BERTH_ETCD_PORT
export BERTH_TEST_IMAGE=$BERTH_TEST_IMAGE
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_CHECKS_DISABLE=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export TESTCONTAINERS_TINYIMAGE_CONTAINER_IMAGE=$BERTH_TEST_IMAGE
ENV
log "ready: source $BERTH_ENV_HOME/env.sh"
