#!/usr/bin/env bash
# Berth's main job on this machine, end to end.
#   scripts/demo.sh             three Docker hosts on this machine, one operator each: overlay, scheduler, names across
#                               hosts, a Route, GitOps, a host killed (scripts/demo-cluster.sh)
#   scripts/demo.sh --single    one host and one operator, the two example stacks serving (scripts/demo-single.sh)
#   scripts/demo.sh stop        stop whichever ran and remove what it made, then stop the private dockerd and etcd
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") exec scripts/demo-cluster.sh ;;
  --single) exec scripts/demo-single.sh ;;
  stop)
    scripts/demo-cluster.sh stop
    scripts/demo-single.sh stop ;;
  -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: scripts/demo.sh [--single | stop | --help]" >&2; exit 2 ;;
esac
