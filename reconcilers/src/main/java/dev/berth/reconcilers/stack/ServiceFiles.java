package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.MountPlan;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the operator prepared on this host for one service's Secrets and Configs: read-only bind mounts of files it
 * wrote (their host paths name the content, so a changed Secret changes the plan and rolls the containers), and
 * environment values read from Secret keys. Plain values: a plan holding them must never be logged.
 *
 * @param envDigests per Secret environment name, a digest of its value made with the host's salt: the spec hash
 *                   takes it in place of the value, so a label or log line holding the hash cannot be used to test
 *                   guesses of the value offline, and the hash still changes when the value does
 */
public record ServiceFiles(List<MountPlan> mounts, Map<String, String> env, Map<String, String> envDigests) {
    public static final ServiceFiles NONE = new ServiceFiles(List.of(), Map.of(), Map.of());

    public ServiceFiles {
        mounts = List.copyOf(mounts);
        env = java.util.Collections.unmodifiableMap(new TreeMap<>(env));
        envDigests = java.util.Collections.unmodifiableMap(new TreeMap<>(envDigests));
    }

    /** Without digests: each Secret environment value enters the spec hash as "digest:unknown". */
    public ServiceFiles(List<MountPlan> mounts, Map<String, String> env) {
        this(mounts, env, Map.of());
    }

    /** The digests as a label value ("NAME=digest,..."); empty without digests. */
    public String envDigestsLabel() {
        return envDigests.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** The digests a running container's labels carry ({@link #envDigestsLabel}), for planning with its values. */
    public static Map<String, String> envDigestsOf(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>();
        String value = labels.getOrDefault(dev.berth.reconcilers.labels.BerthLabels.SECRET_ENV_DIGESTS, "");
        for (String item : value.split(",")) {
            int eq = item.indexOf('=');
            if (eq > 0) {
                out.put(item.substring(0, eq), item.substring(eq + 1));
            }
        }
        return out;
    }

    /** What the spec hash takes for the Secret environment value {@code name}: its digest. */
    public String hashedValue(String name) {
        // Never the value itself: the hash is in a label and in log lines. Without a digest (a container created
        // before digests were labelled) the hash differs from any the operator plans, which is the truth.
        String digest = envDigests.get(name);
        return "digest:" + (digest != null ? digest : "unknown");
    }

    /** Never the values: records print their fields, and a plan may end up in a message. */
    @Override
    public String toString() {
        return "ServiceFiles[mounts=" + mounts + ", env=" + env.keySet() + "]";
    }
}
