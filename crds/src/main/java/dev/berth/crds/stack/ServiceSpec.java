package dev.berth.crds.stack;

import java.util.List;
import java.util.Map;

/** One service of a stack: becomes {@code replicas} containers on each host the stack is placed on. */
public record ServiceSpec(
        String name,
        String image,
        List<String> command,
        List<String> entrypoint,
        Map<String, String> env,
        Map<String, String> labels,
        List<PortSpec> ports,
        List<VolumeSpec> volumes,
        List<String> networks,
        String restart,
        HealthcheckSpec healthcheck,
        ResourcesSpec resources,
        String user,
        Boolean readOnly,
        List<String> capAdd,
        List<String> capDrop,
        List<String> securityOpt,
        Boolean init,
        Integer replicas) {
    public ServiceSpec {
        command = command == null ? List.of() : List.copyOf(command);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        ports = ports == null ? List.of() : List.copyOf(ports);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        networks = networks == null ? List.of() : List.copyOf(networks);
        capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
        capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
        securityOpt = securityOpt == null ? List.of() : List.copyOf(securityOpt);
        restart = restart == null ? "unless-stopped" : restart;
        readOnly = readOnly != null && readOnly;
        init = init != null && init;
        replicas = replicas == null ? 1 : replicas;
    }
}
