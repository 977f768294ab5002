package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.Canonical;
import dev.berth.reconcilers.docker.ContainerOptions;
import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.LogPlan;
import dev.berth.reconcilers.docker.HealthcheckPlan;
import dev.berth.reconcilers.docker.MountPlan;
import dev.berth.reconcilers.docker.NetworkAttachment;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.PortPlan;
import dev.berth.reconcilers.docker.RestartPlan;
import dev.berth.reconcilers.docker.UlimitPlan;
import dev.berth.crds.ObjectKey;
import dev.berth.reconcilers.labels.BerthLabels;

import dev.berth.crds.Durations;
import dev.berth.crds.Quantities;
import dev.berth.crds.stack.HealthcheckSpec;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.VolumeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a {@link StackSpec} into Docker-shaped plans. Pure: same spec, same plans, same hashes.
 *
 * @throws IllegalArgumentException (from its methods) when a duration, quantity or restart policy cannot be read;
 *     validation in crds should have caught it first.
 */
public final class PlanBuilder {
    /** The network hash of an attachment to a Berth Network, which the stack does not own. */
    public static final String EXTERNAL_NETWORK = "external";

    private PlanBuilder() {
    }

    /** The Berth Networks (overlays) the stack's services join: names they use that the stack does not declare. */
    public static java.util.Set<String> externalNetworks(StackSpec spec) {
        java.util.Set<String> declared = new java.util.HashSet<>();
        spec.networks().forEach(n -> declared.add(n.name()));
        declared.add(StackNames.DEFAULT_NETWORK);
        java.util.Set<String> external = new java.util.TreeSet<>();
        for (ServiceSpec s : spec.services()) {
            s.networks().stream().filter(n -> !declared.contains(n)).forEach(external::add);
        }
        return external;
    }

    /**
     * The networks a stack owns, by declared name: the declared ones, plus the implicit {@code default} bridge for
     * services that name no network. Any other name a service uses is a Berth Network (an overlay the Network
     * reconciler makes on this host); the stack attaches to it but never creates or removes it.
     */
    public static Map<String, NetworkPlan> networks(String instance, String stack, StackSpec spec) {
        Map<String, StackNetwork> declared = new TreeMap<>();
        for (StackNetwork n : spec.networks()) {
            declared.put(n.name(), n);
        }
        for (ServiceSpec s : spec.services()) {
            if (networkNamesOf(s).contains(StackNames.DEFAULT_NETWORK)) {
                declared.putIfAbsent(StackNames.DEFAULT_NETWORK,
                        new StackNetwork(StackNames.DEFAULT_NETWORK, null, null, null, null));
            }
        }
        Map<String, NetworkPlan> plans = new LinkedHashMap<>();
        declared.values().forEach(n -> plans.put(n.name(), network(instance, stack, n)));
        return plans;
    }

    static NetworkPlan network(String instance, String stack, StackNetwork n) {
        String name = StackNames.network(stack, n.name());
        Map<String, String> labels = new TreeMap<>(n.labels());
        labels.put(BerthLabels.MANAGED_BY, instance);
        labels.put(BerthLabels.OWNER, ObjectKey.stack(stack).toString());
        labels.put(BerthLabels.NETWORK, n.name());
        NetworkPlan unhashed = new NetworkPlan(stack, n.name(), name, n.driver(), n.internal(), n.subnet(), labels, "");
        String hash = Canonical.of(unhashed).hash();
        labels.put(BerthLabels.SPEC_HASH, hash);
        return new NetworkPlan(stack, n.name(), name, n.driver(), n.internal(), n.subnet(), labels, hash);
    }

    /** One plan per replica of every service, in spec order. */
    public static List<ContainerPlan> containers(String instance, String stack, StackSpec spec, Map<String, NetworkPlan> networks) {
        return containers(instance, stack, StackHere.all(spec), networks);
    }

    /** One plan per replica this host runs, services in spec order, replicas in number order. */
    public static List<ContainerPlan> containers(String instance, String stack, StackHere here, Map<String, NetworkPlan> networks) {
        List<ContainerPlan> plans = new ArrayList<>();
        for (ServiceSpec s : here.spec().services()) {
            for (int r : here.of(s.name())) {
                plans.add(container(instance, stack, s.withImage(here.imageOf(s)), r, networks, here.names(),
                        here.filesOf(s.name())));
            }
        }
        return plans;
    }

    static List<String> networkNamesOf(ServiceSpec s) {
        return s.networks().isEmpty() ? List.of(StackNames.DEFAULT_NETWORK) : s.networks();
    }

    public static ContainerPlan container(String instance, String stack, ServiceSpec s, int replica, Map<String, NetworkPlan> networks) {
        return container(instance, stack, s, replica, networks, NameServers.off());
    }

    /**
     * @param names where containers on Berth Networks send DNS queries on this host; when on, they join Berth
     *              Networks without the service alias (see {@link NameServers})
     */
    public static ContainerPlan container(String instance, String stack, ServiceSpec s, int replica,
                                          Map<String, NetworkPlan> networks, NameServers names) {
        return container(instance, stack, s, replica, networks, names, ServiceFiles.NONE);
    }

    /**
     * @param files the Secret and Config files prepared on this host for the service (read-only bind mounts) and
     *              its Secret environment values
     */
    public static ContainerPlan container(String instance, String stack, ServiceSpec s, int replica,
                                          Map<String, NetworkPlan> networks, NameServers names, ServiceFiles files) {
        String name = StackNames.container(stack, s, replica);
        Map<String, String> envMap = new TreeMap<>(s.env());
        envMap.putAll(files.env()); // validation refuses a name in both, so nothing is overridden
        List<String> env = envMap.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        // The hash sees a Secret environment value only through its host-salted digest: the hash is a label and in
        // logs, and an unsalted hash over the value would let anyone holding it test guesses of the value offline.
        Map<String, String> hashedEnvMap = new TreeMap<>(envMap);
        files.env().keySet().forEach(k -> hashedEnvMap.put(k, files.hashedValue(k)));
        List<String> hashedEnv = hashedEnvMap.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();

        Map<String, String> labels = new TreeMap<>(s.labels());
        labels.put(BerthLabels.MANAGED_BY, instance);
        labels.put(BerthLabels.OWNER, ObjectKey.stack(stack).toString());
        labels.put(BerthLabels.SERVICE, s.name());
        labels.put(BerthLabels.REPLICA, Integer.toString(replica));
        if (!files.envDigests().isEmpty()) {
            labels.put(BerthLabels.SECRET_ENV_DIGESTS, files.envDigestsLabel());
        }
        ContainerOptions options = options(s);
        if (options.gracefulStopSeconds() != null) {
            labels.put(BerthLabels.STOP_GRACE_SECONDS, Integer.toString(options.gracefulStopSeconds()));
        }
        if (!s.aliases().isEmpty()) {
            // Only when there are any: a service without aliases keeps exactly the labels, and so the hash, it had.
            labels.put(BerthLabels.ALIASES, String.join(",", s.aliases()));
        }

        List<PortPlan> ports = s.ports().stream().map(PlanBuilder::port)
                .sorted(PortPlan.ORDER).toList();
        List<MountPlan> mounts = java.util.stream.Stream.concat(s.volumes().stream().map(PlanBuilder::mount),
                files.mounts().stream()).sorted(MountPlan.BY_TARGET).toList();

        // Not the stack's own: a Berth Network, or a Docker network made outside Berth (joined by its exact name;
        // no Berth names are answered there).
        List<String> berthNetworks = networkNamesOf(s).stream().filter(n -> !networks.containsKey(n))
                .filter(n -> !names.dockerNetworks().contains(n)).toList();
        List<String> dns = names.forNetworks(berthNetworks);
        List<NetworkAttachment> attachments = new ArrayList<>();
        for (String declared : new LinkedHashSet<>(networkNamesOf(s))) {
            NetworkPlan n = networks.get(declared);
            // The service name as alias is what lets services reach each other by name, and its aliases answer
            // like it; on a Berth Network whose names the operator answers, Docker's aliases would hide the other
            // hosts' replicas (the operator answers the aliases there, from the ALIASES label).
            boolean answered = !dns.isEmpty() && berthNetworks.contains(declared);
            attachments.add(n == null
                    ? new NetworkAttachment(declared, declared, answered ? List.of() : dockerAliases(s), EXTERNAL_NETWORK)
                    : new NetworkAttachment(n.name(), declared, dockerAliases(s), n.specHash()));
        }

        Long nanoCpus = null;
        Long memory = null;
        Long reservation = null;
        if (s.resources() != null) {
            nanoCpus = s.resources().cpus() == null ? null : Math.round(s.resources().cpus() * 1e9);
            memory = s.resources().memory() == null ? null : Quantities.parseBytes(s.resources().memory());
            reservation = s.resources().memoryReservation() == null ? null
                    : Quantities.parseBytes(s.resources().memoryReservation());
        }

        ContainerPlan unhashed = new ContainerPlan(stack, s.name(), replica, name, s.image(), s.command(),
                s.entrypoint(), hashedEnv, labels, ports, mounts, attachments, RestartPlan.parse(s.restart()),
                healthcheck(s.healthcheck()), nanoCpus, memory, reservation, emptyToNull(s.user()), s.readOnly(),
                sortedSet(s.capAdd()), sortedSet(s.capDrop()), s.securityOpt(), s.init(), dns, options, "");
        String hash = hash(unhashed);
        labels.put(BerthLabels.SPEC_HASH, hash);
        return new ContainerPlan(stack, s.name(), replica, name, s.image(), unhashed.cmd(), unhashed.entrypoint(),
                env, labels, ports, mounts, attachments, unhashed.restart(), unhashed.healthcheck(), nanoCpus, memory,
                reservation, unhashed.user(), unhashed.readOnly(), unhashed.capAdd(), unhashed.capDrop(),
                unhashed.securityOpt(), unhashed.init(), unhashed.dns(), options, hash);
    }

    /** The names Docker's embedded DNS answers for the service on a network: its own, then its aliases. */
    private static List<String> dockerAliases(ServiceSpec s) {
        return List.copyOf(new LinkedHashSet<>(java.util.stream.Stream.concat(java.util.stream.Stream.of(s.name()),
                s.aliases().stream()).toList()));
    }

    /** What {@link ContainerPlan#writeCanonical} says the plan is made of: every component not excluded there. */
    static String hash(ContainerPlan p) {
        return Canonical.of(p).hash();
    }

    /** The Stack's container options as Docker takes them (validation in crds checked their forms). */
    static ContainerOptions options(ServiceSpec s) {
        List<UlimitPlan> ulimits = s.ulimits().entrySet().stream()
                .map(e -> new UlimitPlan(e.getKey(), e.getValue().soft(), e.getValue().hard())).toList();
        LogPlan logging = s.logging() == null ? null : new LogPlan(s.logging().driver(), s.logging().options());
        Integer stopSeconds = s.stopGracePeriod() == null ? null : wholeSeconds(Durations.parse(s.stopGracePeriod()));
        Long shm = s.shmSize() == null ? null : Quantities.parseBytes(s.shmSize());
        return new ContainerOptions(emptyToNull(s.hostname()), emptyToNull(s.workingDir()), s.privileged(), ulimits,
                logging, s.sysctls(), s.extraHosts(), s.devices(), emptyToNull(s.stopSignal()), stopSeconds, shm);
    }

    /** Docker's StopTimeout is whole seconds: a part of a second rounds up, so a grace period is never cut short. */
    private static int wholeSeconds(java.time.Duration d) {
        long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, seconds);
    }

    private static PortPlan port(PortSpec p) {
        return new PortPlan(p.target(), p.protocol(), p.published(), emptyToNull(p.hostIp()));
    }

    private static MountPlan mount(VolumeSpec v) {
        Long size = v.size() == null ? null : Quantities.parseBytes(v.size());
        return new MountPlan(v.type(), emptyToNull(v.source()), v.target(), v.readOnly(), size);
    }

    private static HealthcheckPlan healthcheck(HealthcheckSpec h) {
        if (h == null) {
            return null;
        }
        return new HealthcheckPlan(h.test(), nanos(h.interval()), nanos(h.timeout()), h.retries(), nanos(h.startPeriod()));
    }

    private static Long nanos(String duration) {
        return duration == null ? null : Durations.parse(duration).toNanos();
    }

    /** Capabilities are a set: writing them in another order is not a change. */
    private static List<String> sortedSet(List<String> caps) {
        Set<String> set = new java.util.TreeSet<>(caps);
        return List.copyOf(set);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
