package dev.berth.crds.stack;

import java.util.List;
import java.util.Map;

/**
 * Where the replicas of a stack's services may run, and how they are spread. {@code hosts} and {@code hostSelector}
 * restrict the eligible hosts (a host is eligible when it is listed or its labels match every selector entry;
 * both empty: every host). {@code mode} is {@code replicated} (the default: {@code replicas} containers in the
 * cluster, placed by the scheduler) or {@code global} (every eligible host runs {@code replicas} containers).
 * {@code maxPerHost} and {@code spread} (a host label whose values replicas are spread over) shape replicated
 * placement. Null fields are unset: a service's own placement overrides the stack's field by field.
 */
public record Placement(List<String> hosts, Map<String, String> hostSelector, String mode, Integer maxPerHost,
                        String spread) {
    public static final String REPLICATED = "replicated";
    public static final String GLOBAL = "global";

    public Placement {
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        hostSelector = hostSelector == null ? Map.of() : Map.copyOf(hostSelector);
    }

    /** Only a host restriction (replicated, no limits). */
    public Placement(List<String> hosts, Map<String, String> hostSelector) {
        this(hosts, hostSelector, null, null, null);
    }

    public static Placement none() {
        return new Placement(null, null, null, null, null);
    }

    /** No host restriction: every host is eligible. Not a field of the YAML or JSON form. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return hosts.isEmpty() && hostSelector.isEmpty();
    }

    public boolean global() {
        return GLOBAL.equals(mode);
    }

    /**
     * This placement with every field {@code override} sets taken from it: a service's placement over its stack's.
     * The host restriction (hosts and hostSelector) is one field: a service naming hosts drops the stack's selector,
     * and a service restricting nothing keeps the stack's restriction.
     */
    public Placement overriddenBy(Placement override) {
        if (override == null) {
            return this;
        }
        boolean restricts = !override.isEmpty();
        return new Placement(restricts ? override.hosts : hosts, restricts ? override.hostSelector : hostSelector,
                override.mode != null ? override.mode : mode,
                override.maxPerHost != null ? override.maxPerHost : maxPerHost,
                override.spread != null ? override.spread : spread);
    }
}
