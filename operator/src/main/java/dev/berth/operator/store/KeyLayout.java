package dev.berth.operator.store;

import dev.berth.crds.ObjectKey;
import java.util.Optional;

/**
 * Where things live in etcd (docs/architecture.md, "Names"), under a configurable root such as {@code /berth}.
 * Desired objects: {@code <root>/v1/<kind>/<name>}; status: {@code <root>/v1/status/<kind>/<name>/<host>};
 * hosts: {@code <root>/v1/hosts/<host>}; leases: {@code <root>/v1/leases/<network>/<host>}.
 */
public record KeyLayout(String root) {
    /** Kinds are singular and lowercase in keys ("stack"); these segments are reserved for the runtime. */
    private static final java.util.Set<String> RESERVED = java.util.Set.of("status", "hosts", "leases", "endpoints", "elections", "gitops-triggers", "backends",
            "assignments", "cordons", "members", "rebalance", "images", "builds", "events", "revisions", "api", "probes");

    public KeyLayout {
        if (root == null || !root.startsWith("/") || root.endsWith("/") || root.length() < 2) {
            throw new IllegalArgumentException("etcd prefix must start with '/' and not end with it: " + root);
        }
    }

    public static KeyLayout defaults() {
        return new KeyLayout("/berth");
    }

    public String base() {
        return root + "/v1/";
    }

    public String kindPrefix(String singular) {
        return base() + singular + "/";
    }

    public String desired(String singular, String name) {
        return kindPrefix(singular) + name;
    }

    public String statusPrefix(String singular, String name) {
        return base() + "status/" + singular + "/" + name + "/";
    }

    public String status(String singular, String name, String host) {
        return statusPrefix(singular, name) + host;
    }

    public String statusRoot() {
        return base() + "status/";
    }

    public String hostsPrefix() {
        return base() + "hosts/";
    }

    public String host(String host) {
        return hostsPrefix() + host;
    }

    /** Scheduler decisions, one key per replicated stack: {@code <root>/v1/assignments/stack/<name>}. */
    public String assignmentsPrefix() {
        return base() + "assignments/stack/";
    }

    public String assignment(String stack) {
        return assignmentsPrefix() + stack;
    }

    /** The image each service of a stack runs on every host (pinned digests): {@code <root>/v1/images/stack/<name>}. */
    public String imagePinsPrefix() {
        return base() + "images/stack/";
    }

    public String imagePins(String stack) {
        return imagePinsPrefix() + stack;
    }

    /** Claims of image builds in progress (one host builds, the others wait): {@code <root>/v1/builds/<id>}. */
    public String buildsPrefix() {
        return base() + "builds/";
    }

    /** Cordoned and draining hosts (berth cordon / drain / uncordon). */
    public String cordonsPrefix() {
        return base() + "cordons/";
    }

    public String cordon(String host) {
        return cordonsPrefix() + host;
    }

    /** Every host the cluster has seen, live or down (the scheduler leader's book). */
    public String membersPrefix() {
        return base() + "members/";
    }

    public String member(String host) {
        return membersPrefix() + host;
    }

    /** Rebalance requests (berth rebalance stack NAME), deleted by the scheduler when the stack is even. */
    public String rebalancePrefix() {
        return base() + "rebalance/stack/";
    }

    public String rebalance(String stack) {
        return rebalancePrefix() + stack;
    }

    /**
     * Overlay probe reports, one key per Network and reporting host: {@code <root>/v1/probes/<network>/<host>}, written
     * by that host's prober when a peer's state changes (no lease: a dead reporter's last word stays, and readers
     * trust only reports of live hosts).
     */
    public String probesPrefix() {
        return base() + "probes/";
    }

    public String probe(String network, String host) {
        return probesPrefix() + network + "/" + host;
    }

    /**
     * Events about objects, Kubernetes-style, each on a lease (they expire): {@code <root>/v1/events/<kind>/<name>/<id>},
     * kind singular and lowercase as in desired keys.
     */
    public String eventsPrefix() {
        return base() + "events/";
    }

    public String eventsOf(String singular, String name) {
        return eventsPrefix() + singular + "/" + name + "/";
    }

    /** The last revisions of each stack's spec (rollout history / undo): {@code <root>/v1/revisions/stack/<name>/<n>}. */
    public String revisionsPrefix() {
        return base() + "revisions/stack/";
    }

    public String revisionsOf(String stack) {
        return revisionsPrefix() + stack + "/";
    }

    /** The cluster's operator-API bearer token, readable only by whoever may read this prefix. */
    public String apiToken() {
        return base() + "api/token";
    }

    /** The (kind, name) of a desired-object key, or empty for status, hosts, leases and foreign keys. */
    public Optional<ObjectKey> parseDesired(String key) {
        if (!key.startsWith(base())) {
            return Optional.empty();
        }
        String rest = key.substring(base().length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
            return Optional.empty();
        }
        String kind = rest.substring(0, slash);
        if (RESERVED.contains(kind)) {
            return Optional.empty();
        }
        return Optional.of(new ObjectKey(kind, rest.substring(slash + 1)));
    }
}
