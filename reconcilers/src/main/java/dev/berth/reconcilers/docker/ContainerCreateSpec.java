package dev.berth.reconcilers.docker;

import dev.berth.crds.ObjectKey;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.TmpfsOptions;
import com.github.dockerjava.api.model.Ulimit;
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
        options(cmd, host, p.options());
        return cmd;
    }

    /** Only what is set: an unset option stays out of the request, so Docker applies its own default. */
    private static void options(CreateContainerCmd cmd, HostConfig host, ContainerOptions o) {
        if (o.hostname() != null) {
            cmd.withHostName(o.hostname());
        }
        if (o.workingDir() != null) {
            cmd.withWorkingDir(o.workingDir());
        }
        if (o.stopSignal() != null) {
            cmd.withStopSignal(o.stopSignal());
        }
        if (o.stopTimeoutSeconds() != null) {
            cmd.withStopTimeout(o.stopTimeoutSeconds());
        }
        if (o.privileged()) {
            host.withPrivileged(true);
        }
        if (!o.ulimits().isEmpty()) {
            host.withUlimits(o.ulimits().stream().map(u -> new Ulimit(u.name(), u.soft(), u.hard())).toList());
        }
        if (o.logging() != null) {
            host.withLogConfig(logConfig(o.logging()));
        }
        if (!o.sysctls().isEmpty()) {
            host.withSysctls(o.sysctls());
        }
        if (!o.extraHosts().isEmpty()) {
            host.withExtraHosts(o.extraHosts().toArray(String[]::new));
        }
        if (!o.devices().isEmpty()) {
            host.withDevices(o.devices().stream().map(Device::parse).toList());
        }
        if (o.shmSizeBytes() != null) {
            host.withShmSize(o.shmSizeBytes());
        }
    }

    /**
     * docker-java knows log drivers only as an enum; a driver it lacks (a plugin such as {@code grafana/loki}) goes
     * to Docker as written through the object's raw values, which are serialised in its place.
     */
    private static LogConfig logConfig(LogPlan plan) {
        LogConfig.LoggingType known = LogConfig.LoggingType.fromValue(plan.driver());
        if (known != null) {
            return new LogConfig(known, plan.options());
        }
        return new RawLogConfig(plan.driver(), plan.options());
    }

    /** A LogConfig whose driver name docker-java's enum does not hold. */
    private static final class RawLogConfig extends LogConfig {
        private static final long serialVersionUID = 1L;
        private final String driver;

        RawLogConfig(String driver, Map<String, String> options) {
            super(null, options);
            this.driver = driver;
        }

        @Override
        public Map<String, Object> getRawValues() {
            return Map.of("Type", driver);
        }
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
