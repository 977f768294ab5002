package dev.berth.reconcilers.docker;

import dev.berth.crds.ObjectKey;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.TmpfsOptions;
import com.github.dockerjava.api.model.VolumeOptions;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Fills a docker-java create command from a {@link ContainerPlan}; the first network is joined at create time. */
final class ContainerCreateSpec {
    private ContainerCreateSpec() {
    }

    static CreateContainerCmd fill(CreateContainerCmd cmd, ContainerPlan p) {
        HostConfig host = HostConfig.newHostConfig()
                .withRestartPolicy(restart(p.restart()))
                .withReadonlyRootfs(p.readOnly())
                .withInit(p.init())
                .withMounts(mounts(p))
                .withSecurityOpts(p.securityOpt().isEmpty() ? null : p.securityOpt())
                .withNanoCPUs(p.nanoCpus())
                .withMemory(p.memoryBytes())
                .withMemoryReservation(p.memoryReservationBytes());
        if (!p.dns().isEmpty()) {
            host.withDns(p.dns());
        }
        if (!p.capAdd().isEmpty()) {
            host.withCapAdd(capabilities(p.capAdd()));
        }
        if (!p.capDrop().isEmpty()) {
            host.withCapDrop(capabilities(p.capDrop()));
        }
        List<ExposedPort> exposed = new ArrayList<>();
        Ports bindings = new Ports();
        for (PortPlan port : p.ports()) {
            ExposedPort e = new ExposedPort(port.target(), InternetProtocol.parse(port.protocol()));
            exposed.add(e);
            if (port.published() != null) {
                bindings.bind(e, port.hostIp() == null ? Ports.Binding.bindPort(port.published())
                        : Ports.Binding.bindIpAndPort(port.hostIp(), port.published()));
            }
        }
        host.withPortBindings(bindings);
        if (!p.networks().isEmpty()) {
            NetworkAttachment first = p.networks().get(0);
            host.withNetworkMode(first.network());
            cmd.withAliases(first.aliases());
        }
        cmd.withName(p.name())
                .withImage(p.image())
                .withEnv(p.env())
                .withLabels(p.labels())
                .withExposedPorts(exposed)
                .withHostConfig(host);
        if (!p.cmd().isEmpty()) {
            cmd.withCmd(p.cmd());
        }
        if (!p.entrypoint().isEmpty()) {
            cmd.withEntrypoint(p.entrypoint());
        }
        if (p.user() != null) {
            cmd.withUser(p.user());
        }
        if (p.healthcheck() != null) {
            cmd.withHealthcheck(healthcheck(p.healthcheck()));
        }
        return cmd;
    }

    private static RestartPolicy restart(RestartPlan r) {
        return switch (r.name()) {
            case "no" -> RestartPolicy.noRestart();
            case "always" -> RestartPolicy.alwaysRestart();
            case "on-failure" -> RestartPolicy.onFailureRestart(r.maxRetries());
            default -> RestartPolicy.unlessStoppedRestart();
        };
    }

    private static HealthCheck healthcheck(HealthcheckPlan h) {
        return new HealthCheck().withTest(h.test()).withInterval(h.intervalNanos()).withTimeout(h.timeoutNanos())
                .withRetries(h.retries()).withStartPeriod(h.startPeriodNanos());
    }

    private static List<Mount> mounts(ContainerPlan p) {
        List<Mount> mounts = new ArrayList<>();
        for (MountPlan m : p.mounts()) {
            Mount mount = new Mount().withTarget(m.target()).withReadOnly(m.readOnly());
            switch (m.type()) {
                case "bind" -> mount.withType(MountType.BIND).withSource(m.source());
                case "tmpfs" -> {
                    mount.withType(MountType.TMPFS);
                    if (m.tmpfsSizeBytes() != null) {
                        mount.withTmpfsOptions(new TmpfsOptions().withSizeBytes(m.tmpfsSizeBytes()));
                    }
                }
                case "volume" -> mount.withType(MountType.VOLUME).withSource(m.source())
                        // Labels on volumes Docker creates for us, so they can be found; Berth never removes them
                        // (they hold data).
                        .withVolumeOptions(new VolumeOptions().withLabels(Map.of(
                                BerthLabels.MANAGED_BY, p.labels().get(BerthLabels.MANAGED_BY),
                                BerthLabels.OWNER, ObjectKey.stack(p.stack()).toString())));
                default -> throw new DockerActionException(DockerActionException.INVALID_SPEC,
                        "container " + p.name() + ": mount type \"" + m.type() + "\" is not volume, bind or tmpfs");
            }
            mounts.add(mount);
        }
        return mounts;
    }

    private static Capability[] capabilities(List<String> names) {
        List<Capability> caps = new ArrayList<>();
        for (String name : names) {
            String upper = name.toUpperCase(Locale.ROOT);
            String bare = upper.startsWith("CAP_") ? upper.substring(4) : upper;
            try {
                caps.add(Capability.valueOf(bare));
            } catch (IllegalArgumentException e) {
                throw new DockerActionException(DockerActionException.INVALID_SPEC,
                        "capability \"" + name + "\" is unknown", e);
            }
        }
        return caps.toArray(Capability[]::new);
    }
}
