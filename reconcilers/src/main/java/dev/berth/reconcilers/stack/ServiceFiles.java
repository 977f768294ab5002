package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.MountPlan;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the operator prepared on this host for one service's Secrets and Configs: read-only bind mounts of files it
 * wrote (their host paths name the content, so a changed Secret changes the plan and rolls the containers), and
 * environment values read from Secret keys. Plain values: a plan holding them must never be logged.
 */
public record ServiceFiles(List<MountPlan> mounts, Map<String, String> env) {
    public static final ServiceFiles NONE = new ServiceFiles(List.of(), Map.of());

    public ServiceFiles {
        mounts = List.copyOf(mounts);
        env = java.util.Collections.unmodifiableMap(new TreeMap<>(env));
    }

    /** Never the values: records print their fields, and a plan may end up in a message. */
    @Override
    public String toString() {
        return "ServiceFiles[mounts=" + mounts + ", env=" + env.keySet() + "]";
    }
}
