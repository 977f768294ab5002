package dev.berth.reconcilers.docker;

import dev.berth.reconcilers.labels.BerthLabels;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code docker create} needs for one replica of a service. {@code env} is {@code KEY=value} sorted by
 * key; {@code labels} are the user's labels plus Berth's, including {@link BerthLabels#SPEC_HASH} = {@code specHash}.
 * Null numbers mean "Docker's default". {@code dns}: the container's DNS servers (HostConfig.Dns), empty for
 * Docker's default. {@code options}: the rest of Docker's container options ({@link ContainerOptions#NONE}: all
 * Docker's defaults).
 */
public record ContainerPlan(
        String stack,
        String service,
        int replica,
        String name,
        String image,
        List<String> cmd,
        List<String> entrypoint,
        List<String> env,
        Map<String, String> labels,
        List<PortPlan> ports,
        List<MountPlan> mounts,
        List<NetworkAttachment> networks,
        RestartPlan restart,
        HealthcheckPlan healthcheck,
        Long nanoCpus,
        Long memoryBytes,
        Long memoryReservationBytes,
        String user,
        boolean readOnly,
        List<String> capAdd,
        List<String> capDrop,
        List<String> securityOpt,
        boolean init,
        List<String> dns,
        ContainerOptions options,
        String specHash) implements Canonical.Form {
    /** Env is a map written as a list: its order means nothing, its keys do. */
    private static final Comparator<String> ENV_BY_KEY = Comparator.comparing(kv -> kv.substring(0, keyEnd(kv)));

    public ContainerPlan {
        cmd = List.copyOf(cmd);
        entrypoint = List.copyOf(entrypoint);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
        mounts = List.copyOf(mounts);
        networks = List.copyOf(networks);
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        securityOpt = List.copyOf(securityOpt);
        dns = dns == null ? List.of() : List.copyOf(dns);
        options = options == null ? ContainerOptions.NONE : options;
    }

    /** Without container options (Docker's defaults). */
    public ContainerPlan(String stack, String service, int replica, String name, String image, List<String> cmd,
                         List<String> entrypoint, List<String> env, Map<String, String> labels, List<PortPlan> ports,
                         List<MountPlan> mounts, List<NetworkAttachment> networks, RestartPlan restart,
                         HealthcheckPlan healthcheck, Long nanoCpus, Long memoryBytes, Long memoryReservationBytes,
                         String user, boolean readOnly, List<String> capAdd, List<String> capDrop,
                         List<String> securityOpt, boolean init, List<String> dns, String specHash) {
        this(stack, service, replica, name, image, cmd, entrypoint, env, labels, ports, mounts, networks, restart,
                healthcheck, nanoCpus, memoryBytes, memoryReservationBytes, user, readOnly, capAdd, capDrop,
                securityOpt, init, dns, ContainerOptions.NONE, specHash);
    }

    /** Without DNS servers (Docker's default). */
    public ContainerPlan(String stack, String service, int replica, String name, String image, List<String> cmd,
                         List<String> entrypoint, List<String> env, Map<String, String> labels, List<PortPlan> ports,
                         List<MountPlan> mounts, List<NetworkAttachment> networks, RestartPlan restart,
                         HealthcheckPlan healthcheck, Long nanoCpus, Long memoryBytes, Long memoryReservationBytes,
                         String user, boolean readOnly, List<String> capAdd, List<String> capDrop,
                         List<String> securityOpt, boolean init, String specHash) {
        this(stack, service, replica, name, image, cmd, entrypoint, env, labels, ports, mounts, networks, restart,
                healthcheck, nanoCpus, memoryBytes, memoryReservationBytes, user, readOnly, capAdd, capDrop,
                securityOpt, init, List.of(), specHash);
    }

    /** The same container under another name (a start-first replacement); the spec hash stays the same. */
    public ContainerPlan withName(String other) {
        return new ContainerPlan(stack, service, replica, other, image, cmd, entrypoint, env, labels, ports, mounts,
                networks, restart, healthcheck, nanoCpus, memoryBytes, memoryReservationBytes, user, readOnly, capAdd,
                capDrop, securityOpt, init, dns, options, specHash);
    }

    /**
     * What the spec hash is made of. Stack, service and replica are left out because the name and the labels
     * already carry them; memory fields keep the names earlier releases hashed them under.
     */
    @Override
    public void writeCanonical(Canonical out) {
        out.record("ContainerPlan")
                .exclude("stack", "in the name and the owner label")
                .exclude("service", "in the name and the service label")
                .exclude("replica", "in the name and the replica label")
                .field("name", name)
                .field("image", image)
                .field("cmd", cmd)
                .field("entrypoint", entrypoint)
                .unordered("env", env, ENV_BY_KEY)
                .field("labels", Canonical.without(labels, BerthLabels.SPEC_HASH))
                .unordered("ports", ports, PortPlan.ORDER)
                .unordered("mounts", mounts, MountPlan.BY_TARGET)
                // Ordered: the first network is the one Docker creates the container on.
                .field("networks", networks)
                .field("restart", restart)
                .field("healthcheck", healthcheck)
                .field("nanoCpus", nanoCpus)
                .field("memoryBytes", "memory", memoryBytes)
                .field("memoryReservationBytes", "memoryReservation", memoryReservationBytes)
                .field("user", user)
                .field("readOnly", readOnly)
                .set("capAdd", capAdd)
                .set("capDrop", capDrop)
                .field("securityOpt", securityOpt)
                .field("init", init)
                // Only when set: containers planned without names across hosts keep the hash they always had.
                // Only the first server, the operator's gateway: the rest is the host's resolvers as a fallback, and a
                // changed resolv.conf on the host must not replace every container on a Berth Network.
                .fieldIfSet("dns", dns.isEmpty() ? dns : dns.subList(0, 1))
                // Only when set: containers of services that use none of these options keep the hash they had.
                .fieldIfSet("options", options.isEmpty() ? null : options)
                .exclude("specHash", "the hash itself");
    }

    /** Env values may come from Secrets, and a plan may end up in a log line or an exception: print the names only. */
    @Override
    public String toString() {
        return "ContainerPlan[name=" + name + ", image=" + image + ", env=" + env.stream()
                .map(kv -> kv.substring(0, keyEnd(kv)) + "=…").toList() + ", mounts=" + mounts + ", networks=" + networks
                + ", specHash=" + specHash + "]";
    }

    private static int keyEnd(String kv) {
        int eq = kv.indexOf('=');
        return eq < 0 ? kv.length() : eq;
    }
}
