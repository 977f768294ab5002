package dev.berth.reconcilers.docker;

import dev.berth.reconcilers.labels.BerthLabels;

import java.util.List;
import java.util.Map;

/**
 * Everything {@code docker create} needs for one replica of a service. {@code env} is {@code KEY=value} sorted by
 * key; {@code labels} are the user's labels plus Berth's, including {@link BerthLabels#SPEC_HASH} = {@code specHash}.
 * Null numbers mean "Docker's default".
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
        String specHash) {
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
    }

    /** The same container under another name (a start-first replacement); the spec hash stays the same. */
    public ContainerPlan withName(String other) {
        return new ContainerPlan(stack, service, replica, other, image, cmd, entrypoint, env, labels, ports, mounts,
                networks, restart, healthcheck, nanoCpus, memoryBytes, memoryReservationBytes, user, readOnly, capAdd,
                capDrop, securityOpt, init, specHash);
    }
}
