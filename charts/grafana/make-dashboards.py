#!/usr/bin/env python3
"""Writes the Grafana dashboards of this folder (berth-*.json). Edit here, run `python3 make-dashboards.py`,
commit both. Every query uses only the variables $datasource, $host and $__rate_interval; the observability
tests run each one against a real Prometheus (operator/src/test/java/dev/berth/operator/observability)."""
import json
import os

H = 'host=~"$host"'


def ds():
    return {"type": "prometheus", "uid": "${datasource}"}


class Board:
    def __init__(self, uid, title, description):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.y, self.x, self.row_h, self.next_id = [], 0, 0, 0, 1

    def row(self, title):
        self.newline()
        self.panels.append({"type": "row", "title": title, "id": self.next_id, "collapsed": False, "panels": [],
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}})
        self.next_id += 1
        self.y += 1

    def newline(self):
        if self.x:
            self.y += self.row_h
            self.x, self.row_h = 0, 0

    def panel(self, kind, title, description, targets, w=12, h=8, unit=None, extra=None):
        if self.x + w > 24:
            self.newline()
        p = {"type": kind, "title": title, "description": description, "id": self.next_id, "datasource": ds(),
             "gridPos": {"h": h, "w": w, "x": self.x, "y": self.y},
             "targets": [{"refId": chr(ord("A") + i), "datasource": ds(), "expr": expr, "legendFormat": legend,
                          "range": True, "instant": False} for i, (expr, legend) in enumerate(targets)],
             "fieldConfig": {"defaults": {"unit": unit or "short"}, "overrides": []},
             "options": {}}
        if kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "area", "textMode": "auto"}
        if kind == "timeseries":
            p["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                            "tooltip": {"mode": "multi", "sort": "desc"}}
        if extra:
            p.update(extra)
        self.panels.append(p)
        self.next_id += 1
        self.x += w
        self.row_h = max(self.row_h, h)

    def json(self):
        return {

            "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
                           {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
            "uid": self.uid, "title": self.title, "description": self.description,
            "tags": ["berth"], "timezone": "", "editable": True, "graphTooltip": 1, "schemaVersion": 39,
            "version": 1, "refresh": "30s", "time": {"from": "now-3h", "to": "now"},
            "links": [{"type": "dashboards", "tags": ["berth"], "asDropdown": True, "title": "Berth"}],
            "annotations": {"list": []},
            "templating": {"list": [
                {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
                 "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []},
                {"name": "host", "label": "Host", "type": "query", "datasource": ds(),
                 "definition": 'label_values(up{job="berth"}, host)',
                 "query": {"query": 'label_values(up{job="berth"}, host)', "refId": "host"},
                 "refresh": 2, "multi": True, "includeAll": True, "allValue": ".*", "sort": 1,
                 "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "hide": 0, "options": []},
            ]},
            "panels": self.panels,
        }


def overview():
    b = Board("berth-overview", "Berth / Overview",
              "Objects, reconciles, work queues, drift, Docker and etcd calls of Berth operators.")
    b.row("Objects")
    b.panel("stat", "Objects Ready", "Objects whose Ready condition is True on the selected hosts, by kind.",
            [(f'sum by (kind) (berth_objects{{{H}, condition="Ready", status="True"}})', "{{kind}}")], w=6, h=5)
    b.panel("stat", "Objects Degraded", "Objects whose Degraded condition is True, by kind (berth get / describe name them).",
            [(f'sum by (kind) (berth_objects{{{H}, condition="Degraded", status="True"}})', "{{kind}}")], w=6, h=5,
            extra={"fieldConfig": {"defaults": {"unit": "short", "thresholds": {"mode": "absolute", "steps": [
                {"color": "green", "value": None}, {"color": "red", "value": 1}]}}, "overrides": []}})
    b.panel("stat", "Longest Degraded", "How long the longest-Degraded object has been Degraded, by kind.",
            [(f'max by (kind) (berth_objects_degraded_longest_seconds{{{H}}})', "{{kind}}")], w=6, h=5, unit="s")
    b.panel("stat", "Operators up", "Operators Prometheus can scrape / operators whose host lease is alive.",
            [(f'sum(up{{job="berth", {H}}})', "up"), (f'sum(berth_host_lease_alive{{{H}}})', "lease alive")],
            w=6, h=5)
    b.panel("timeseries", "Objects by condition", "Objects on each host by condition and status.",
            [(f'sum by (host, kind, condition, status) (berth_objects{{{H}}})',
              "{{host}} {{kind}} {{condition}}={{status}}")], w=24)
    b.row("Reconciles")
    b.panel("timeseries", "Reconcile rate", "Reconciles per second by controller and result.",
            [(f'sum by (host, controller, result) (rate(berth_reconcile_total{{{H}}}[$__rate_interval]))',
              "{{host}} {{controller}} {{result}}")], unit="ops")
    b.panel("timeseries", "Reconcile error ratio", "Failed reconciles / all reconciles, by controller.",
            [(f'sum by (host, controller) (rate(berth_reconcile_total{{{H}, result="error"}}[$__rate_interval]))'
              f' / sum by (host, controller) (rate(berth_reconcile_total{{{H}}}[$__rate_interval]))',
              "{{host}} {{controller}}")], unit="percentunit")
    b.panel("timeseries", "Reconcile time p50 / p99", "Quantiles of the time of one reconcile.",
            [(f'histogram_quantile(0.5, sum by (host, controller, le) (rate(berth_reconcile_time_seconds_bucket{{{H}}}[$__rate_interval])))',
              "p50 {{host}} {{controller}}"),
             (f'histogram_quantile(0.99, sum by (host, controller, le) (rate(berth_reconcile_time_seconds_bucket{{{H}}}[$__rate_interval])))',
              "p99 {{host}} {{controller}}")], unit="s")
    b.panel("timeseries", "Drift corrections", "Corrections of drift from an already converged state, by kind of drift.",
            [(f'sum by (host, controller, drift) (increase(berth_drift_corrections_total{{{H}}}[$__rate_interval]))',
              "{{host}} {{controller}} {{drift}}")])
    b.row("Scheduler")
    b.panel("stat", "Unschedulable replicas", "Replicas no live host can take now (the scheduler leader's last plans;"
            " berth get stacks says why).",
            [(f'max(berth_scheduler_unschedulable_replicas{{{H}}})', "unschedulable")], w=6, h=6,
            extra={"fieldConfig": {"defaults": {"unit": "short", "thresholds": {"mode": "absolute", "steps": [
                {"color": "green", "value": None}, {"color": "orange", "value": 1}]}}, "overrides": []}})
    b.panel("timeseries", "Scheduling attempts", "Scheduling attempts of a stack per second by result (written,"
            " unchanged, conflict, unschedulable), on the scheduler leader.",
            [(f'sum by (host, result) (rate(berth_scheduler_attempts_total{{{H}}}[$__rate_interval])) > 0',
              "{{host}} {{result}}")], w=6, h=6, unit="ops")
    b.panel("timeseries", "Placements and failovers", "Replicas placed on a host that did not run them, and replicas"
            " moved off a host that was down longer than --failover-after (increase per interval).",
            [(f'sum by (host) (increase(berth_scheduler_placements_total{{{H}}}[$__rate_interval]))', "placed {{host}}"),
             (f'sum by (host) (increase(berth_scheduler_failovers_total{{{H}}}[$__rate_interval]))', "failed over {{host}}")],
            w=6, h=6)
    b.panel("timeseries", "Scheduler leader", "1 on the operator that leads the scheduler election.",
            [(f'berth_leader{{{H}, election="scheduler"}}', "{{host}}")], w=6, h=6)
    b.row("Routes")
    b.panel("stat", "Routes by state", "Routes as the route leader last reconciled them: ready, no_backends (no healthy"
            " backend), degraded (bad target, conflict, invalid); berth get routes names them. Followers count 0.",
            [(f'sum by (state) (berth_routes{{{H}}})', "{{state}}")], w=6, h=6)
    b.panel("timeseries", "Route backends", "Backends of every Route, summed: healthy ones (ready) of the running ones"
            " (total).",
            [(f'sum by (state) (berth_route_backends{{{H}}})', "{{state}}")], w=9, h=6)
    b.panel("timeseries", "Traefik KV writes", "The route leader's transactions on Traefik's keys in etcd per interval,"
            " by outcome (success, conflict: a key Berth did not write, error).",
            [(f'sum by (host, outcome) (increase(berth_route_kv_writes_total{{{H}}}[$__rate_interval]))',
              "{{host}} {{outcome}}")], w=9, h=6)
    b.row("Work queues")
    b.panel("timeseries", "Queue depth", "Keys waiting for a worker.",
            [(f'berth_workqueue_depth{{{H}}}', "{{host}} {{name}}")], w=8)
    b.panel("timeseries", "Adds and retries", "Keys added, and re-queued after a failure, per second.",
            [(f'sum by (host, name) (rate(berth_workqueue_adds_total{{{H}}}[$__rate_interval]))', "adds {{host}} {{name}}"),
             (f'sum by (host, name) (rate(berth_workqueue_retries_total{{{H}}}[$__rate_interval]))', "retries {{host}} {{name}}")],
            w=8, unit="ops")
    b.panel("timeseries", "Longest running / unfinished work", "Seconds the longest reconcile has run; seconds of work in progress.",
            [(f'berth_workqueue_longest_running_processor_seconds{{{H}}}', "longest {{host}} {{name}}"),
             (f'berth_workqueue_unfinished_work_seconds{{{H}}}', "unfinished {{host}} {{name}}")], w=8, unit="s")
    b.panel("timeseries", "Queue wait p99", "99th percentile of the time a key waits before a worker takes it.",
            [(f'histogram_quantile(0.99, sum by (host, name, le) (rate(berth_workqueue_queue_duration_seconds_bucket{{{H}}}[$__rate_interval])))',
              "{{host}} {{name}}")], unit="s")
    b.panel("timeseries", "Work time p99", "99th percentile of the time a worker spends on a key.",
            [(f'histogram_quantile(0.99, sum by (host, name, le) (rate(berth_workqueue_work_duration_seconds_bucket{{{H}}}[$__rate_interval])))',
              "{{host}} {{name}}")], unit="s")
    b.row("Docker and etcd")
    b.panel("timeseries", "Docker API calls", "Docker API calls per second by operation and outcome.",
            [(f'sum by (host, operation, outcome) (rate(berth_docker_requests_total{{{H}}}[$__rate_interval])) > 0',
              "{{host}} {{operation}} {{outcome}}")], unit="ops")
    b.panel("timeseries", "Docker API latency p99", "99th percentile of one Docker API call, by operation.",
            [(f'histogram_quantile(0.99, sum by (host, operation, le) (rate(berth_docker_request_duration_seconds_bucket{{{H}}}[$__rate_interval])))',
              "{{host}} {{operation}}")], unit="s")
    b.panel("timeseries", "etcd calls", "etcd calls per second by operation and outcome.",
            [(f'sum by (host, operation, outcome) (rate(berth_etcd_requests_total{{{H}}}[$__rate_interval])) > 0',
              "{{host}} {{operation}} {{outcome}}")], unit="ops")
    b.panel("timeseries", "etcd latency p99", "99th percentile of one etcd call, by operation.",
            [(f'histogram_quantile(0.99, sum by (host, operation, le) (rate(berth_etcd_request_duration_seconds_bucket{{{H}}}[$__rate_interval])))',
              "{{host}} {{operation}}")], unit="s")
    b.panel("timeseries", "Watches, compactions, reconnects, resyncs",
            "etcd watch restarts and compactions seen by kind, Docker event stream reconnects, resyncs (increase per interval).",
            [(f'sum by (host, kind) (increase(berth_etcd_watch_restarts_total{{{H}}}[$__rate_interval]))', "watch restarts {{host}} {{kind}}"),
             (f'sum by (host, kind) (increase(berth_etcd_compactions_seen_total{{{H}}}[$__rate_interval]))', "compactions {{host}} {{kind}}"),
             (f'sum by (host) (increase(berth_docker_event_reconnects_total{{{H}}}[$__rate_interval]))', "docker event reconnects {{host}}"),
             (f'sum by (host) (increase(berth_resyncs_total{{{H}}}[$__rate_interval]))', "resyncs {{host}}")])
    b.panel("timeseries", "Host lease and leadership", "1 while the host record is alive in etcd; 1 while this operator leads an election.",
            [(f'berth_host_lease_alive{{{H}}}', "lease {{host}}"),
             (f'berth_leader{{{H}}}', "leader {{host}} {{election}}")])
    b.row("Process")
    b.panel("timeseries", "JVM heap used", "Heap in use by the operator's JVM.",
            [(f'sum by (host) (jvm_memory_used_bytes{{{H}, area="heap"}})', "{{host}}")], w=8, unit="bytes")
    b.panel("timeseries", "Process CPU", "CPU used by the operator process (1 = one core).",
            [(f'process_cpu_usage{{{H}}}', "{{host}}")], w=8, unit="percentunit")
    b.panel("table", "Versions", "Berth version of each operator (berth_build_info) and its uptime.",
            [(f'berth_build_info{{{H}}}', "{{host}} {{version}}"), (f'process_uptime_seconds{{{H}}}', "{{host}}")], w=8)
    return b


def overlay():
    b = Board("berth-overlay", "Berth / Overlay networks",
              "VXLAN overlay networks: peers, probes through the overlay, FDB entries and kernel link operations per host.")
    b.row("Networks")
    b.panel("stat", "Networks Ready / Degraded", "Network objects on the selected hosts by condition.",
            [(f'sum(berth_objects{{{H}, kind="network", condition="Ready", status="True"}})', "Ready"),
             (f'sum(berth_objects{{{H}, kind="network", condition="Degraded", status="True"}})', "Degraded")], w=6, h=5)
    b.panel("timeseries", "Overlay networks", "Overlay Networks each host takes part in.",
            [(f'berth_overlay_networks{{{H}}}', "{{host}}")], w=6, h=5)
    b.panel("timeseries", "Peers", "Peer hosts programmed, summed over each host's Networks.",
            [(f'berth_overlay_peers{{{H}}}', "{{host}}")], w=6, h=5)
    b.panel("timeseries", "FDB entries", "FDB entries Berth keeps on each host's VXLAN devices.",
            [(f'berth_overlay_fdb_entries{{{H}}}', "{{host}}")], w=6, h=5)
    b.row("Probes")
    b.panel("timeseries", "Reachable peers", "Peers of each Network whose gateway answered this host's last probe through"
            " the overlay, and those programmed but not answering (berth doctor names the pair and the likely cause).",
            [(f'berth_overlay_peer_reachable{{{H}}}', "reachable {{host}} {{network}}"),
             (f'berth_overlay_peers{{{H}}} - berth_overlay_peer_reachable{{{H}}}', "unreachable {{host}} {{network}}")])
    b.panel("timeseries", "Probe round trip p50 / p99", "Round trip of the small probes from each host's gateway to its"
            " peers' gateways, through VXLAN.",
            [(f'histogram_quantile(0.5, sum by (host, network, le) (rate(berth_overlay_probe_rtt_seconds_bucket{{{H}}}[$__rate_interval])))',
              "p50 {{host}} {{network}}"),
             (f'histogram_quantile(0.99, sum by (host, network, le) (rate(berth_overlay_probe_rtt_seconds_bucket{{{H}}}[$__rate_interval])))',
              "p99 {{host}} {{network}}")], unit="s")
    b.row("Kernel and reconciles")
    b.panel("timeseries", "Link operations", "Kernel link, FDB and neighbour operations per second by outcome.",
            [(f'sum by (host, operation, outcome) (rate(berth_link_operations_total{{{H}}}[$__rate_interval]))',
              "{{host}} {{operation}} {{outcome}}")], unit="ops")
    b.panel("timeseries", "Link operation errors", "Failed kernel operations per interval.",
            [(f'sum by (host, operation) (increase(berth_link_operations_total{{{H}, outcome!="success"}}[$__rate_interval]))',
              "{{host}} {{operation}}")])
    b.panel("timeseries", "Network reconciles", "Network controller reconciles per second by result.",
            [(f'sum by (host, result) (rate(berth_reconcile_total{{{H}, controller="network"}}[$__rate_interval]))',
              "{{host}} {{result}}")], unit="ops")
    b.panel("timeseries", "Network queue depth", "Keys waiting in the network work queue.",
            [(f'berth_workqueue_depth{{{H}, name="network"}}', "{{host}}")])
    return b


def gitops():
    b = Board("berth-gitops", "Berth / GitOps",
              "GitOps sync from Git repositories (GitSources) into etcd: results, last success, objects, leadership.")
    b.panel("stat", "Last success age", "Seconds since each GitSource last synced successfully.",
            [(f'max by (source) (time() - berth_gitops_last_success_timestamp_seconds{{{H}}})', "{{source}}")],
            w=8, h=5, unit="s",
            extra={"fieldConfig": {"defaults": {"unit": "s", "thresholds": {"mode": "absolute", "steps": [
                {"color": "green", "value": None}, {"color": "orange", "value": 900}, {"color": "red", "value": 3600}]}},
                "overrides": []}})
    b.panel("stat", "Sync status (last hour)", "Sync passes in the last hour by result (synced, outofsync, failed).",
            [(f'sum by (result) (increase(berth_gitops_syncs_total{{{H}}}[1h]))', "{{result}}")], w=8, h=5)
    b.panel("stat", "GitOps leader", "Which operator leads the gitops election (1 = leader); only the leader syncs.",
            [(f'berth_leader{{{H}, election="gitops"}}', "{{host}}")], w=8, h=5)
    b.panel("timeseries", "Sync passes", "Sync passes per interval by GitSource and result.",
            [(f'sum by (host, source, result) (increase(berth_gitops_syncs_total{{{H}}}[$__rate_interval]))',
              "{{host}} {{source}} {{result}}")])
    b.panel("timeseries", "Objects by sync state", "Objects of each GitSource by state (synced, outofsync, orphaned, conflict).",
            [(f'sum by (source, state) (berth_gitops_objects{{{H}}})', "{{source}} {{state}}")])
    b.panel("timeseries", "Self-heals", "Hand edits of synced objects put back to the commit's version.",
            [(f'sum by (host, source) (increase(berth_gitops_self_heals_total{{{H}}}[$__rate_interval]))',
              "{{host}} {{source}}")])
    return b


here = os.path.dirname(os.path.abspath(__file__))
for board, name in [(overview(), "berth-overview.json"), (overlay(), "berth-overlay.json"), (gitops(), "berth-gitops.json")]:
    with open(os.path.join(here, name), "w") as f:
        json.dump(board.json(), f, indent=2)
        f.write("\n")
