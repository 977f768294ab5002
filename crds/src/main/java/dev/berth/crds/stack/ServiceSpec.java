package dev.berth.crds.stack;

import java.util.List;
import java.util.Map;

/**
 * One service of a stack: {@code replicas} containers in the cluster, placed by the scheduler (or on every eligible
 * host in global mode). {@code placement} overrides the stack's placement field by field; {@code failover: false}
 * keeps the replicas on their host while it is down (host-local data) instead of starting them empty elsewhere.
 */
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
        Integer replicas,
        UpdateSpec update,
        List<DependsOn> dependsOn,
        Placement placement,
        Boolean failover,
        List<FileReference> secrets,
        List<FileReference> configs,
        List<SecretEnv> secretEnv,
        String imagePullPolicy,
        BuildSpec build,
        String hostname,
        List<String> aliases,
        String containerName,
        String workingDir,
        Boolean privileged,
        Map<String, Ulimit> ulimits,
        LoggingSpec logging,
        Map<String, String> sysctls,
        List<String> extraHosts,
        List<String> devices,
        String stopSignal,
        String stopGracePeriod,
        String shmSize) {
    /** Pull only when the image is not on the host (Kubernetes' default for a tagged image). */
    public static final String PULL_IF_NOT_PRESENT = "IfNotPresent";
    /** Resolve the tag at the registry whenever the service's image is (re)pinned, and pull what it names. */
    public static final String PULL_ALWAYS = "Always";
    /** Never pull: the image must be on the host already (Berth's behaviour before pulls). */
    public static final String PULL_NEVER = "Never";

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
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        failover = failover == null || failover;
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        configs = configs == null ? List.of() : List.copyOf(configs);
        secretEnv = secretEnv == null ? List.of() : List.copyOf(secretEnv);
        imagePullPolicy = imagePullPolicy == null ? PULL_IF_NOT_PRESENT : imagePullPolicy;
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        privileged = privileged != null && privileged;
        ulimits = ulimits == null ? Map.of() : Map.copyOf(ulimits);
        sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** Without the container options Compose files brought (hostname ... shmSize): their defaults. */
    public ServiceSpec(String name, String image, List<String> command, List<String> entrypoint, Map<String, String> env,
                       Map<String, String> labels, List<PortSpec> ports, List<VolumeSpec> volumes, List<String> networks,
                       String restart, HealthcheckSpec healthcheck, ResourcesSpec resources, String user, Boolean readOnly,
                       List<String> capAdd, List<String> capDrop, List<String> securityOpt, Boolean init, Integer replicas,
                       UpdateSpec update, List<DependsOn> dependsOn, Placement placement, Boolean failover,
                       List<FileReference> secrets, List<FileReference> configs, List<SecretEnv> secretEnv,
                       String imagePullPolicy, BuildSpec build) {
        this(name, image, command, entrypoint, env, labels, ports, volumes, networks, restart, healthcheck, resources, user,
                readOnly, capAdd, capDrop, securityOpt, init, replicas, update, dependsOn, placement, failover, secrets,
                configs, secretEnv, imagePullPolicy, build, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    /** Without a pull policy of its own (IfNotPresent) and without a build. */
    public ServiceSpec(String name, String image, List<String> command, List<String> entrypoint, Map<String, String> env,
                       Map<String, String> labels, List<PortSpec> ports, List<VolumeSpec> volumes, List<String> networks,
                       String restart, HealthcheckSpec healthcheck, ResourcesSpec resources, String user, Boolean readOnly,
                       List<String> capAdd, List<String> capDrop, List<String> securityOpt, Boolean init, Integer replicas,
                       UpdateSpec update, List<DependsOn> dependsOn, Placement placement, Boolean failover,
                       List<FileReference> secrets, List<FileReference> configs, List<SecretEnv> secretEnv) {
        this(name, image, command, entrypoint, env, labels, ports, volumes, networks, restart, healthcheck, resources, user,
                readOnly, capAdd, capDrop, securityOpt, init, replicas, update, dependsOn, placement, failover, secrets,
                configs, secretEnv, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    /** Without secrets and configs (the defaults). */
    public ServiceSpec(String name, String image, List<String> command, List<String> entrypoint, Map<String, String> env,
                       Map<String, String> labels, List<PortSpec> ports, List<VolumeSpec> volumes, List<String> networks,
                       String restart, HealthcheckSpec healthcheck, ResourcesSpec resources, String user, Boolean readOnly,
                       List<String> capAdd, List<String> capDrop, List<String> securityOpt, Boolean init, Integer replicas,
                       UpdateSpec update, List<DependsOn> dependsOn, Placement placement, Boolean failover) {
        this(name, image, command, entrypoint, env, labels, ports, volumes, networks, restart, healthcheck, resources, user,
                readOnly, capAdd, capDrop, securityOpt, init, replicas, update, dependsOn, placement, failover, null, null,
                null);
    }

    /** The same service with other container labels (every other field kept, including ones added later). */
    public ServiceSpec withLabels(Map<String, String> other) {
        return new ServiceSpec(name, image, command, entrypoint, env, other, ports, volumes, networks, restart, healthcheck,
                resources, user, readOnly, capAdd, capDrop, securityOpt, init, replicas, update, dependsOn, placement,
                failover, secrets, configs, secretEnv, imagePullPolicy, build, hostname, aliases, containerName,
                workingDir, privileged, ulimits, logging, sysctls, extraHosts, devices, stopSignal, stopGracePeriod,
                shmSize);
    }

    /**
     * The same service running {@code ref} (the pinned digest, or the image built for it) instead of the image as
     * written; every other field kept.
     */
    public ServiceSpec withImage(String ref) {
        return new ServiceSpec(name, ref, command, entrypoint, env, labels, ports, volumes, networks, restart,
                healthcheck, resources, user, readOnly, capAdd, capDrop, securityOpt, init, replicas, update, dependsOn,
                placement, failover, secrets, configs, secretEnv, imagePullPolicy, build, hostname, aliases,
                containerName, workingDir, privileged, ulimits, logging, sysctls, extraHosts, devices, stopSignal,
                stopGracePeriod, shmSize);
    }

    /** Whether the service uses any Secret or Config (files or environment). */
    public boolean usesSecretsOrConfigs() {
        return !secrets.isEmpty() || !configs.isEmpty() || !secretEnv.isEmpty();
    }

    /** Without a placement of its own and with failover (the defaults). */
    public ServiceSpec(String name, String image, List<String> command, List<String> entrypoint, Map<String, String> env,
                       Map<String, String> labels, List<PortSpec> ports, List<VolumeSpec> volumes, List<String> networks,
                       String restart, HealthcheckSpec healthcheck, ResourcesSpec resources, String user, Boolean readOnly,
                       List<String> capAdd, List<String> capDrop, List<String> securityOpt, Boolean init, Integer replicas,
                       UpdateSpec update, List<DependsOn> dependsOn) {
        this(name, image, command, entrypoint, env, labels, ports, volumes, networks, restart, healthcheck, resources, user,
                readOnly, capAdd, capDrop, securityOpt, init, replicas, update, dependsOn, null, null);
    }

    /** Without update strategy and dependencies (the defaults). */
    public ServiceSpec(String name, String image, List<String> command, List<String> entrypoint, Map<String, String> env,
                       Map<String, String> labels, List<PortSpec> ports, List<VolumeSpec> volumes, List<String> networks,
                       String restart, HealthcheckSpec healthcheck, ResourcesSpec resources, String user, Boolean readOnly,
                       List<String> capAdd, List<String> capDrop, List<String> securityOpt, Boolean init, Integer replicas) {
        this(name, image, command, entrypoint, env, labels, ports, volumes, networks, restart, healthcheck, resources, user,
                readOnly, capAdd, capDrop, securityOpt, init, replicas, null, null, null, null);
    }

    /**
     * Whether this is a one-shot service, restart "no" or on-failure: Docker leaves its exited container exited, and
     * so does Berth (a job ran to its end).
     */
    public boolean oneShot() {
        return "no".equals(restart) || "on-failure".equals(restart);
    }

    /** The stack's placement with this service's own fields over it. */
    public Placement effectivePlacement(Placement stack) {
        return (stack == null ? Placement.none() : stack).overriddenBy(placement);
    }

    /**
     * The strategy that applies: the declared one, else start-first when the service has a health check to
     * wait for and publishes no fixed host port (two containers cannot bind one port), else recreate. Always
     * recreate with a containerName: two containers cannot share the name (a declared start-first is an error there),
     * and for a one-shot service ({@link #oneShot()}): its replacement may exit, which start-first would take for a
     * failure and retry, re-running the job (a declared start-first is an error there too, see UpdateStrategyCheck).
     */
    public String effectiveStrategy() {
        if (containerName != null || oneShot()) {
            return UpdateSpec.RECREATE;
        }
        if (update != null && update.strategy() != null) {
            return update.strategy();
        }
        boolean healthChecked = healthcheck != null && !healthcheck.test().isEmpty() && !"NONE".equals(healthcheck.test().get(0));
        boolean fixedPort = ports.stream().anyMatch(p -> p.published() != null);
        return healthChecked && !fixedPort ? UpdateSpec.START_FIRST : UpdateSpec.RECREATE;
    }
}
