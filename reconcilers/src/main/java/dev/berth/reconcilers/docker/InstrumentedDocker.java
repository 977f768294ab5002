package dev.berth.reconcilers.docker;

import dev.berth.crds.ObjectKey;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Network;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Docker} on docker-java, telling a {@link DockerCallListener} the operation, outcome and duration of every
 * API call it makes (the runtime turns that into berth_docker_* metrics), so no Docker call of Berth's goes unseen.
 */
public final class InstrumentedDocker implements Docker {
    private static final Logger log = LoggerFactory.getLogger(InstrumentedDocker.class);
    /**
     * How long a graceful stop may take past its grace period: Docker kills the container when the grace period
     * ends and answers once it is gone. A container that survives the kill (stuck in the kernel, D state) would
     * otherwise hold a stack worker forever; after the margin the forced remove takes over.
     */
    public static final Duration STOP_MARGIN = Duration.ofSeconds(30);
    /** How long each event stream may take to start before the subscription counts as failed. */
    static final Duration EVENTS_START = Duration.ofSeconds(10);
    /**
     * A container whose service names no grace period is killed at once, as {@link #remove} does: its replacement
     * waits for the stop.
     */
    private static final int DEFAULT_STOP_SECONDS = 0;

    private final DockerClient docker;
    private final DockerClient eventsDocker;
    private final String instance;
    private final Map<String, String> managed;
    private final String managedFilter;
    private final EventDeduper deduper = new EventDeduper(4096);
    private final DockerCallListener calls;
    private final TimedDockerClients stopClients;
    private final Duration stopMargin;
    private final Duration eventsStart;
    /**
     * Networks this operator is creating (by name) or created and whose "create" event has not come yet (by id): the
     * event carries no labels, and these need no inspect to be known as Berth's (100 stacks, 100 inspects before).
     */
    private final Set<String> creatingNetworks = ConcurrentHashMap.newKeySet();
    private final Set<String> createdNetworks = ConcurrentHashMap.newKeySet();

    /**
     * For read-only uses (diff): without {@link TimedDockerClients} a remove skips the graceful stop and kills at
     * once.
     *
     * @param instance the managed-by label value this Docker lists and acts on (see {@link BerthLabels})
     */
    public InstrumentedDocker(DockerClient docker, String instance) {
        this(docker, docker, t -> {
            throw new IllegalStateException("no client for graceful stops");
        }, instance, DockerCallListener.NONE);
    }

    /**
     * @param eventsDocker a client without a response timeout (see {@link DockerClients#connectForEvents})
     * @param stopClients clients for graceful stops, bounded by the grace period plus {@link #STOP_MARGIN}
     */
    public InstrumentedDocker(DockerClient docker, DockerClient eventsDocker, TimedDockerClients stopClients,
                              String instance) {
        this(docker, eventsDocker, stopClients, instance, DockerCallListener.NONE);
    }

    /** @param calls told the operation, outcome and duration of every Docker API call (metrics) */
    public InstrumentedDocker(DockerClient docker, DockerClient eventsDocker, TimedDockerClients stopClients,
                              String instance, DockerCallListener calls) {
        this(docker, eventsDocker, stopClients, instance, calls, STOP_MARGIN, EVENTS_START);
    }

    /**
     * @param stopMargin  how long a graceful stop may take past its grace period (tests shorten it)
     * @param eventsStart how long each event stream may take to start (tests shorten it)
     */
    InstrumentedDocker(DockerClient docker, DockerClient eventsDocker, TimedDockerClients stopClients,
                       String instance, DockerCallListener calls, Duration stopMargin, Duration eventsStart) {
        this.eventsStart = Objects.requireNonNull(eventsStart);
        this.stopClients = Objects.requireNonNull(stopClients);
        this.stopMargin = Objects.requireNonNull(stopMargin);
        this.calls = Objects.requireNonNull(calls);
        this.instance = Objects.requireNonNull(instance);
        this.managed = Map.of(BerthLabels.MANAGED_BY, instance);
        this.managedFilter = BerthLabels.MANAGED_BY + "=" + instance;
        this.docker = Objects.requireNonNull(docker);
        this.eventsDocker = Objects.requireNonNull(eventsDocker);
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public List<ListedContainer> listManagedContainerDetails() {
        try {
            List<Container> list = call("list_containers", () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(managed).exec());
            return list.stream().filter(c -> BerthLabels.isManaged(c.getLabels(), instance)).map(InstrumentedDocker::listed).toList();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list containers", e);
        }
    }

    private static ListedContainer listed(Container c) {
        ObservedContainer observed = new ObservedContainer(c.getId(), name(c), c.getLabels(), c.getState(),
                ContainerStatusText.health(c.getStatus()), c.getCreated() == null ? 0 : c.getCreated(), c.getImage(),
                c.getImageId(), null);
        Map<String, String> addresses = new java.util.TreeMap<>();
        Map<String, String> macs = new java.util.TreeMap<>();
        if (c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null) {
            for (Map.Entry<String, ContainerNetwork> n : c.getNetworkSettings().getNetworks().entrySet()) {
                String ip = n.getValue().getIpAddress();
                if (ip != null && !ip.isEmpty()) {
                    addresses.put(n.getKey(), ip);
                }
                String mac = n.getValue().getMacAddress();
                if (mac != null && !mac.isEmpty()) {
                    macs.put(n.getKey(), mac);
                }
            }
        }
        List<ListedContainer.PublishedPort> ports = new ArrayList<>();
        if (c.getPorts() != null) {
            for (ContainerPort p : c.getPorts()) {
                // Exposed but unpublished ports come without a public port: nothing reaches them from outside.
                if (p.getPublicPort() != null && p.getPrivatePort() != null) {
                    ports.add(new ListedContainer.PublishedPort(p.getPrivatePort(), p.getPublicPort(),
                            p.getType() == null ? "tcp" : p.getType(), p.getIp() == null ? "" : p.getIp()));
                }
            }
        }
        Map<String, String> mounts = new java.util.TreeMap<>();
        if (c.getMounts() != null) {
            for (com.github.dockerjava.api.model.ContainerMount m : c.getMounts()) {
                if (m.getSource() != null && m.getDestination() != null) {
                    mounts.put(m.getDestination(), m.getSource());
                }
            }
        }
        return new ListedContainer(observed, addresses, macs, ports, mounts);
    }

    @Override
    public List<ObservedNetwork> listManagedNetworks() {
        try {
            List<Network> list = call("list_networks", () -> docker.listNetworksCmd().withFilter("label", List.of(managedFilter)).exec());
            return list.stream()
                    .filter(n -> BerthLabels.isManaged(n.getLabels(), instance))
                    .map(InstrumentedDocker::observed)
                    .toList();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list networks", e);
        }
    }

    @Override
    public Optional<ContainerRun> inspectRun(String id) {
        InspectContainerResponse inspect;
        try {
            inspect = call("inspect_container", () -> docker.inspectContainerCmd(id).exec());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect container " + shortId(id), e);
        }
        InspectContainerResponse.ContainerState state = inspect.getState();
        String status = state == null ? null : state.getStatus();
        String started = state == null ? null : state.getStartedAt();
        // Docker writes the zero time for "never started".
        if (started != null && started.startsWith("0001-")) {
            started = null;
        }
        boolean exited = status != null && !status.equals("running") && !status.equals("created") && started != null;
        Long code = state == null ? null : state.getExitCodeLong();
        Integer restarts = inspect.getRestartCount();
        return Optional.of(new ContainerRun(restarts == null ? 0 : restarts, started,
                exited && code != null ? Integer.valueOf(code.intValue()) : null));
    }

    private static ObservedNetwork observed(Network n) {
        String gateway = n.getIpam() == null || n.getIpam().getConfig() == null ? null
                : n.getIpam().getConfig().stream().map(Network.Ipam.Config::getGateway)
                        .filter(g -> g != null && !g.isEmpty()).findFirst().orElse(null);
        return new ObservedNetwork(n.getId(), n.getName(), n.getLabels(), gateway);
    }

    @Override
    public String createAndStart(ContainerPlan plan) {
        String id = create(plan);
        start(id, plan.name());
        return id;
    }

    @Override
    public String create(ContainerPlan plan) {
        String what = "create container " + plan.name();
        String id;
        try {
            id = call("create_container", () -> ContainerCreateSpec.fill(docker.createContainerCmd(plan.image()), plan).exec()).getId();
            log.info("created container {} id={} hash={}", plan.name(), shortId(id), plan.specHash());
        } catch (ConflictException e) {
            id = existingSamePlan(plan, e);
        } catch (RuntimeException e) {
            DockerActionException failure = DockerErrors.classify(what, e);
            if (failure.reason().equals(DockerActionException.IMAGE_NOT_FOUND)) {
                throw new DockerActionException(failure.reason(), what + ": image " + plan.image()
                        + " is not on this host (with imagePullPolicy: Never Berth runs only what the host has; otherwise it was removed after it was pulled) (" + DockerErrors.dockerMessage(e) + ")", e);
            }
            throw failure;
        }
        for (NetworkAttachment extra : plan.networks().subList(Math.min(1, plan.networks().size()), plan.networks().size())) {
            connect(plan, id, extra);
        }
        return id;
    }

    private String existingSamePlan(ContainerPlan plan, ConflictException conflict) {
        InspectContainerResponse existing;
        try {
            existing = call("inspect_container", () -> docker.inspectContainerCmd(plan.name()).exec());
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect container " + plan.name(), e);
        }
        Map<String, String> labels = existing.getConfig() == null ? null : existing.getConfig().getLabels();
        InspectContainerResponse.ContainerState state = existing.getState();
        if (BerthLabels.isManaged(labels, instance) && state != null && (Boolean.TRUE.equals(state.getDead())
                || "dead".equals(state.getStatus()) || "removing".equals(state.getStatus()))) {
            // Never adopted, whatever its spec: Docker will not start it ("marked for removal"). The applier runs the
            // replica under a stand-in name; the rename back tries to remove it.
            throw new DockerActionException(DockerActionException.NOT_REMOVABLE, "create container " + plan.name()
                    + ": the name is held by container " + shortId(existing.getId()) + ", which Docker marked for removal"
                    + " and has not removed (state " + state.getStatus() + ")", conflict);
        }
        boolean same = BerthLabels.isManaged(labels, instance) && plan.specHash().equals(labels.get(BerthLabels.SPEC_HASH));
        if (!same) {
            // Never touched: a name Berth does not own (a kept containerName someone else runs) is the user's to free.
            String whose = !BerthLabels.isManaged(labels, instance)
                    ? "the name is taken by a container Berth does not own (no " + BerthLabels.MANAGED_BY + "="
                    + instance + " label); Berth leaves it alone: remove or rename it, or change the service's name"
                    : !ObjectKey.stack(plan.stack()).toString().equals(labels.get(BerthLabels.OWNER))
                    ? "the name is taken by a container of " + labels.get(BerthLabels.OWNER) + "; Berth leaves it alone"
                    : "a container with that name exists and is not this spec";
            throw new DockerActionException(DockerActionException.NAME_CONFLICT, "create container " + plan.name()
                    + ": " + whose + " (" + DockerErrors.dockerMessage(conflict) + ")", conflict);
        }
        log.info("container {} already exists id={}, ensuring it runs", plan.name(), shortId(existing.getId()));
        return existing.getId();
    }

    private void connect(ContainerPlan plan, String id, NetworkAttachment n) {
        try {
            call("connect_network", () -> docker.connectToNetworkCmd().withContainerId(id).withNetworkId(n.network())
                    .withContainerNetwork(new ContainerNetwork().withAliases(n.aliases())).exec());
        } catch (RuntimeException e) {
            // Already connected (a retried create of an existing container) is fine.
            if (e.getMessage() != null && e.getMessage().contains("already exists")) {
                return;
            }
            throw DockerErrors.classify("connect container " + plan.name() + " to network " + n.network(), e);
        }
    }

    @Override
    public void rename(String id, String newName) {
        String what = "rename container " + shortId(id) + " to " + newName;
        try {
            call("rename_container", () -> docker.renameContainerCmd(id).withName(newName).exec());
            log.info("renamed container id={} to {}", shortId(id), newName);
        } catch (ConflictException e) {
            // Docker may keep a name for a container whose remove failed and no longer list it (see HeldNames): the
            // planner cannot plan its removal, so it is tried here, once per rename.
            Optional<String> holder = heldByUnremoved(newName);
            if (holder.isEmpty()) {
                throw DockerErrors.classify(what, e);
            }
            try {
                call("remove_container", () -> docker.removeContainerCmd(holder.get()).withForce(true).exec());
                log.info("removed container id={}, which Docker had not removed and which held {}",
                        shortId(holder.get()), newName);
                call("rename_container", () -> docker.renameContainerCmd(id).withName(newName).exec());
                log.info("renamed container id={} to {}", shortId(id), newName);
            } catch (RuntimeException again) {
                throw new DockerActionException(DockerActionException.NOT_REMOVABLE, what + ": the name is held by"
                        + " container " + shortId(holder.get()) + ", which Docker marked for removal and cannot remove ("
                        + DockerErrors.dockerMessage(again) + ")", again);
            }
        } catch (RuntimeException e) {
            throw DockerErrors.classify(what, e);
        }
    }

    /** The id of this instance's container holding {@code name} if Docker marked it for removal (dead or removing). */
    private Optional<String> heldByUnremoved(String name) {
        try {
            InspectContainerResponse holder = call("inspect_container", () -> docker.inspectContainerCmd(name).exec());
            Map<String, String> labels = holder.getConfig() == null ? null : holder.getConfig().getLabels();
            InspectContainerResponse.ContainerState state = holder.getState();
            boolean unremoved = state != null && (Boolean.TRUE.equals(state.getDead())
                    || "dead".equals(state.getStatus()) || "removing".equals(state.getStatus()));
            return unremoved && BerthLabels.isManaged(labels, instance) ? Optional.of(holder.getId()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public HostCapacity capacity() {
        var info = call("info", () -> docker.infoCmd().exec());
        long cpus = info.getNCPU() == null ? 0 : info.getNCPU();
        long memory = info.getMemTotal() == null ? 0 : info.getMemTotal();
        return new HostCapacity(cpus * 1000, memory);
    }

    @Override
    public String lastHealthOutput(String id) {
        try {
            var health = call("inspect_container", () -> docker.inspectContainerCmd(id).exec()).getState().getHealth();
            if (health == null || health.getLog() == null || health.getLog().isEmpty()) {
                return "";
            }
            var last = health.getLog().get(health.getLog().size() - 1);
            return ("exit " + last.getExitCodeLong() + ": " + (last.getOutput() == null ? "" : last.getOutput().strip()))
                    .replace('\n', ' ');
        } catch (RuntimeException e) {
            return "";
        }
    }

    @Override
    public void start(String id) {
        start(id, shortId(id));
    }

    private void start(String id, String name) {
        try {
            call("start_container", () -> docker.startContainerCmd(id).exec());
            log.info("started container {} id={}", name, shortId(id));
        } catch (NotModifiedException e) {
            log.debug("container {} already running", name);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("start container " + name, e);
        }
    }

    /**
     * Forced; a container whose service asked for a graceful stop (the {@link BerthLabels#STOP_GRACE_SECONDS} label)
     * is stopped first: its stop signal, then up to that many seconds before Docker kills it.
     */
    @Override
    public void remove(String id) {
        stopGracefully(id);
        try {
            call("remove_container", () -> docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(false).exec());
            log.info("removed container id={}", shortId(id));
        } catch (NotFoundException e) {
            log.debug("container id={} already gone", shortId(id));
        } catch (ConflictException e) {
            if (e.getMessage() != null && e.getMessage().contains("already in progress")) {
                return;
            }
            throw DockerErrors.classify("remove container " + shortId(id), e);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("remove container " + shortId(id), e);
        }
    }

    @Override
    public void stop(String id) {
        Integer grace;
        try {
            InspectContainerResponse inspect = call("inspect_container", () -> docker.inspectContainerCmd(id).exec());
            grace = inspect.getConfig() == null ? null : graceSeconds(inspect.getConfig().getLabels());
        } catch (NotFoundException e) {
            return;
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect container " + shortId(id), e);
        }
        int seconds = grace == null ? DEFAULT_STOP_SECONDS : grace;
        try (DockerClient bounded = stopClients.open(Duration.ofSeconds(seconds).plus(stopMargin))) {
            call("stop_container", () -> bounded.stopContainerCmd(id).withTimeout(seconds).exec());
            log.info("stopped container id={} (grace period {} s)", shortId(id), seconds);
        } catch (NotModifiedException | NotFoundException e) {
            log.debug("container id={} stopped or gone already", shortId(id));
        } catch (IOException e) {
            throw new DockerActionException(DockerActionException.DOCKER_UNAVAILABLE, "stop container " + shortId(id)
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("stop container " + shortId(id), e);
        }
    }

    /**
     * The one wait inside a pass, and only for services that ask for it (Compose's stop_grace_period): a database
     * killed without its shutdown may need recovery. On a client of its own bounded by the grace period plus
     * {@link #STOP_MARGIN}, since a grace period (at most 10m, see the schema) may be longer than
     * {@link DockerClients#RESPONSE_TIMEOUT}; Docker itself kills the container when it ends. Any failure here,
     * the timeout included, leaves the forced remove to do the job.
     */
    private void stopGracefully(String id) {
        Integer grace;
        try {
            InspectContainerResponse inspect = call("inspect_container", () -> docker.inspectContainerCmd(id).exec());
            boolean running = inspect.getState() != null && Boolean.TRUE.equals(inspect.getState().getRunning());
            grace = running && inspect.getConfig() != null ? graceSeconds(inspect.getConfig().getLabels()) : null;
        } catch (NotFoundException e) {
            return;
        } catch (RuntimeException e) {
            log.warn("container id={}: inspect before remove failed, removing it at once: {}", shortId(id), e.toString());
            return;
        }
        if (grace == null) {
            return;
        }
        try (DockerClient bounded = stopClients.open(Duration.ofSeconds(grace).plus(stopMargin))) {
            call("stop_container", () -> bounded.stopContainerCmd(id).withTimeout(grace).exec());
            log.info("stopped container id={} (grace period {} s)", shortId(id), grace);
        } catch (NotModifiedException | NotFoundException e) {
            log.debug("container id={} stopped or gone already", shortId(id));
        } catch (RuntimeException | IOException e) {
            log.warn("container id={}: graceful stop failed, removing it at once: {}", shortId(id), e.toString());
        }
    }

    private static Integer graceSeconds(Map<String, String> labels) {
        String value = labels == null ? null : labels.get(BerthLabels.STOP_GRACE_SECONDS);
        if (value == null) {
            return null;
        }
        try {
            int seconds = Integer.parseInt(value);
            return seconds >= 0 ? seconds : null;
        } catch (NumberFormatException e) {
            return null; // changed by hand: remove at once, as without the label
        }
    }

    /** Creates with CheckDuplicate (Docker 1.41 accepts duplicate names without it; with it, a taken name is a 409). */
    @Override
    public String createNetwork(NetworkPlan plan) {
        String what = "create network " + plan.name();
        try {
            // No look-up first: the conflict path below adopts or reports a taken name, so the common case is one call.
            var cmd = docker.createNetworkCmd().withName(plan.name()).withDriver(plan.driver())
                    .withInternal(plan.internal()).withLabels(plan.labels()).withCheckDuplicate(true);
            if (plan.subnet() != null) {
                cmd.withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(plan.subnet())));
            }
            String id = createTracked(plan.name(), () -> cmd.exec().getId());
            log.info("created network {} id={} hash={}", plan.name(), shortId(id), plan.specHash());
            return id;
        } catch (ConflictException e) {
            // Created by someone else between our look-up and our create.
            return lookUpNetwork(plan.name()).map(n -> adopt(plan, n))
                    .orElseThrow(() -> DockerErrors.classify(what, e));
        } catch (RuntimeException e) {
            throw DockerErrors.classify(what, e);
        }
    }

    private String adopt(NetworkPlan plan, Network n) {
        Map<String, String> labels = n.getLabels();
        if (!BerthLabels.isManaged(labels, instance)
                || !ObjectKey.stack(plan.stack()).toString().equals(labels.get(BerthLabels.OWNER))) {
            throw new DockerActionException(DockerActionException.NAME_CONFLICT, "create network " + plan.name()
                    + ": a network with that name exists and is not Berth's for stack " + plan.stack());
        }
        log.info("network {} already exists id={}", plan.name(), shortId(n.getId()));
        return n.getId();
    }

    /** Unclassified: the callers say what they were doing when it fails. */
    private Optional<Network> lookUpNetwork(String name) {
        // The name filter matches substrings: compare exactly.
        return call("list_networks", () -> docker.listNetworksCmd().withNameFilter(name).exec()).stream()
                .filter(n -> name.equals(n.getName())).findFirst();
    }

    @Override
    public String createOverlayNetwork(OverlayNetworkPlan plan) {
        try {
            Network.Ipam.Config config = new Network.Ipam.Config().withSubnet(plan.subnet())
                    .withIpRange(plan.ipRange()).withGateway(plan.gateway());
            var cmd = docker.createNetworkCmd().withName(plan.dockerName()).withDriver("bridge")
                    .withCheckDuplicate(true)
                    .withIpam(new Network.Ipam().withConfig(List.of(config)))
                    .withOptions(Map.of("com.docker.network.bridge.name", plan.bridge(),
                            "com.docker.network.driver.mtu", Integer.toString(plan.mtu())))
                    .withLabels(plan.labels());
            String id = createTracked(plan.dockerName(), () -> cmd.exec().getId());
            log.info("network/{}: created Docker network {} (bridge {}, range {}, gateway {}, mtu {})", plan.network(),
                    plan.dockerName(), plan.bridge(), plan.ipRange(), plan.gateway(), plan.mtu());
            return id;
        } catch (RuntimeException e) {
            throw DockerErrors.classify("create network " + plan.dockerName(), e);
        }
    }

    private String createTracked(String name, Supplier<String> create) {
        creatingNetworks.add(name);
        try {
            String id = call("create_network", create::get);
            createdNetworks.add(id);
            return id;
        } finally {
            creatingNetworks.remove(name);
        }
    }

    @Override
    public Optional<ObservedNetwork> findNetwork(String name) {
        try {
            return lookUpNetwork(name).map(InstrumentedDocker::observed);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list networks", e);
        }
    }

    @Override
    public int attachedContainers(String networkId) {
        try {
            return call("list_containers", () -> docker.listContainersCmd().withShowAll(true)
                    .withNetworkFilter(List.of(networkId)).exec()).size();
        } catch (NotFoundException e) {
            return 0;
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list containers on network " + networkId, e);
        }
    }

    /**
     * A removal Docker refuses for "active endpoints" looks at who holds them: endpoints of containers that no longer
     * exist (a SIGKILL of the operator or a crash of dockerd mid-start leaves such stale endpoints, and Docker then
     * refuses the removal forever) or of this instance's own containers of the network's owner that do not run (their
     * removal is under way) are disconnected with force, and the removal is tried once more. Running containers and
     * containers Berth does not own are never touched: the failure then names them (NetworkInUse).
     *
     * <p>Docker 20.10 can also count endpoints it no longer lists (its endpoint count is kept apart from the endpoints
     * and goes stale, seen after operator kills mid-start): nothing can be disconnected then, and only a restart of
     * dockerd recounts them. The failure says so, and the pass's retries remove the network once dockerd restarted.
     */
    @Override
    public void removeNetwork(String id, String name) {
        try {
            removeNetworkOnce(id, name);
        } catch (DockerActionException e) {
            if (!DockerActionException.NETWORK_IN_USE.equals(e.reason())) {
                throw e;
            }
            EndpointRelease release = releaseStaleEndpoints(id, name);
            if (!release.kept().isEmpty()) {
                throw new DockerActionException(DockerActionException.NETWORK_IN_USE, "remove network " + name
                        + ": still used by " + String.join(", ", release.kept()) + "; Berth leaves them alone", e);
            }
            try {
                removeNetworkOnce(id, name);
            } catch (DockerActionException again) {
                boolean countOnly = release.listed() == 0 && DockerActionException.NETWORK_IN_USE.equals(again.reason());
                throw new DockerActionException(again.reason(), countOnly ? staleEndpointCount(name)
                        : again.getMessage() + " (after its stale endpoints were disconnected)", again);
            }
        }
    }

    /** What a user reads when Docker refuses a removal for endpoints it does not list. */
    private static String staleEndpointCount(String name) {
        return "remove network " + name + ": Docker counts active endpoints on it but lists none (its endpoint count"
                + " went stale, a Docker fault); restarting dockerd recounts them, and Berth removes the network on"
                + " its next pass after that";
    }

    /** What a look at a network's endpoints found: how many Docker listed, and those kept, each as "name (why)". */
    private record EndpointRelease(int listed, List<String> kept) {
    }

    private void removeNetworkOnce(String id, String name) {
        try {
            call("remove_network", () -> docker.removeNetworkCmd(id).exec());
            log.info("removed network {} id={}", name, shortId(id));
        } catch (NotFoundException e) {
            log.debug("network {} id={} already gone", name, shortId(id));
        } catch (RuntimeException e) {
            throw DockerErrors.classify("remove network " + name, e);
        }
    }

    /** Disconnects what may go (see {@link #removeNetwork}). */
    private EndpointRelease releaseStaleEndpoints(String id, String name) {
        Network network;
        try {
            network = call("inspect_network", () -> docker.inspectNetworkCmd().withNetworkId(id).exec());
        } catch (NotFoundException e) {
            return new EndpointRelease(0, List.of());
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect network " + name, e);
        }
        String owner = network.getLabels() == null ? null : network.getLabels().get(BerthLabels.OWNER);
        List<String> kept = new ArrayList<>();
        Map<String, Network.ContainerNetworkConfig> endpoints = network.getContainers() == null ? Map.of()
                : network.getContainers();
        for (Map.Entry<String, Network.ContainerNetworkConfig> endpoint : endpoints.entrySet()) {
            // Docker lists an endpoint without a container under "ep-<endpoint id>", with the container's old name.
            String container = endpoint.getKey();
            String endpointName = endpoint.getValue().getName() == null ? container : endpoint.getValue().getName();
            Optional<String> keep = whyKept(container, endpointName, owner);
            if (keep.isPresent()) {
                kept.add(endpointName + " (" + keep.get() + ")");
                continue;
            }
            // A stale endpoint is only found by its name (the container's id is unknown to Docker by then).
            String target = container.startsWith("ep-") ? endpointName : container;
            try {
                call("disconnect_network", () -> docker.disconnectFromNetworkCmd().withNetworkId(id)
                        .withContainerId(target).withForce(true).exec());
                log.warn("network {}: disconnected the stale endpoint {} (container {}) so the network can be removed",
                        name, shortId(endpoint.getValue().getEndpointId()), endpointName);
            } catch (NotFoundException e) {
                // A container gone by now: Docker finds its stale endpoint by the endpoint's name only.
                if (!target.equals(endpointName)) {
                    disconnectByName(id, name, endpointName);
                } else {
                    log.debug("network {}: endpoint {} gone already", name, endpointName);
                }
            } catch (RuntimeException e) {
                throw DockerErrors.classify("disconnect " + endpointName + " from network " + name, e);
            }
        }
        return new EndpointRelease(endpoints.size(), kept);
    }

    private void disconnectByName(String id, String name, String endpointName) {
        try {
            call("disconnect_network", () -> docker.disconnectFromNetworkCmd().withNetworkId(id)
                    .withContainerId(endpointName).withForce(true).exec());
            log.warn("network {}: disconnected the stale endpoint of the removed container {} so the network can be"
                    + " removed", name, endpointName);
        } catch (NotFoundException e) {
            log.debug("network {}: endpoint {} gone already", name, endpointName);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("disconnect " + endpointName + " from network " + name, e);
        }
    }

    /** Empty when the endpoint may be disconnected: its container is gone, or it is ours, of this owner, not running. */
    private Optional<String> whyKept(String container, String endpointName, String owner) {
        InspectContainerResponse inspect;
        try {
            inspect = call("inspect_container", () -> docker.inspectContainerCmd(
                    container.startsWith("ep-") ? endpointName : container).exec());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect container " + endpointName, e);
        }
        if (container.startsWith("ep-")) {
            // A forced disconnect by that name would hit the container that now has it, not the stale endpoint.
            return Optional.of("a stale endpoint whose name container " + shortId(inspect.getId()) + " has now");
        }
        Map<String, String> labels = inspect.getConfig() == null ? null : inspect.getConfig().getLabels();
        if (!BerthLabels.isManaged(labels, instance)) {
            return Optional.of("not Berth's");
        }
        if (owner == null || !owner.equals(labels.get(BerthLabels.OWNER))) {
            return Optional.of("of " + labels.get(BerthLabels.OWNER));
        }
        String state = inspect.getState() == null ? null : inspect.getState().getStatus();
        return "running".equals(state) || "restarting".equals(state) ? Optional.of(state) : Optional.empty();
    }

    /**
     * Docker's label filter drops network events (they carry no labels), so networks are filtered here: by the
     * ids of managed networks, learnt from a list at subscription and from inspecting each created network.
     */
    @Override
    public Closeable events(Instant since, Consumer<DockerEvent> onEvent, Consumer<Throwable> onError) {
        String sinceText = Long.toString(since.getEpochSecond());
        Set<String> managedNetworkIds = ConcurrentHashMap.newKeySet();
        listManagedNetworks().forEach(n -> managedNetworkIds.add(n.id()));
        StreamCallback containers = new StreamCallback("container", onEvent, onError, e -> true);
        // Image events ride on the network stream (Docker ORs the types; neither carries labels): any image on the
        // host, so that what the operator remembers of images is forgotten when one changes.
        StreamCallback networks = new StreamCallback("network", onEvent, onError,
                e -> "image".equals(e.type()) || isManagedNetworkEvent(e, managedNetworkIds));
        call("events", () -> eventsDocker.eventsCmd().withSince(sinceText).withEventTypeFilter(EventType.CONTAINER)
                .withLabelFilter(managed).exec(containers));
        call("events", () -> eventsDocker.eventsCmd().withSince(sinceText).withEventTypeFilter(EventType.NETWORK, EventType.IMAGE)
                .exec(networks));
        try {
            long waitMs = eventsStart.toMillis();
            if (!containers.awaitOutcome(waitMs, TimeUnit.MILLISECONDS) || !networks.awaitOutcome(waitMs, TimeUnit.MILLISECONDS)) {
                // A stream that starts after this still gets closed (see StreamCallback.onStart).
                closeQuietly(containers, networks);
                throw new DockerActionException(DockerActionException.DOCKER_UNAVAILABLE,
                        "event stream did not start within " + waitMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(containers, networks);
            throw new DockerActionException(DockerActionException.DOCKER_UNAVAILABLE, "interrupted", e);
        }
        return () -> closeQuietly(containers, networks);
    }

    private boolean isManagedNetworkEvent(DockerEvent e, Set<String> known) {
        String name = e.attributes().get("name");
        boolean lifecycle = "create".equals(e.action()) || "destroy".equals(e.action());
        boolean ours = lifecycle && createdNetworks.remove(e.id()) || name != null && creatingNetworks.contains(name);
        if ("create".equals(e.action()) && ours) {
            known.add(e.id());
        } else if ("create".equals(e.action()) && !known.contains(e.id())) {
            try {
                Network n = call("inspect_network", () -> docker.inspectNetworkCmd().withNetworkId(e.id()).exec());
                if (BerthLabels.isManaged(n.getLabels(), instance)) {
                    known.add(e.id());
                }
            } catch (RuntimeException ex) {
                log.debug("network id={} gone before inspect: {}", shortId(e.id()), ex.toString());
            }
        }
        boolean managed = known.contains(e.id());
        if ("destroy".equals(e.action())) {
            known.remove(e.id());
        }
        return managed;
    }

    private final class StreamCallback extends ResultCallback.Adapter<Event> {
        private final String type;
        private final Consumer<DockerEvent> onEvent;
        private final Consumer<Throwable> onError;
        private final java.util.function.Predicate<DockerEvent> accept;
        private volatile boolean closing;
        /** Counted down when the stream started or failed, so a refused stream is not waited for in vain. */
        private final java.util.concurrent.CountDownLatch outcome = new java.util.concurrent.CountDownLatch(1);

        StreamCallback(String type, Consumer<DockerEvent> onEvent, Consumer<Throwable> onError,
                       java.util.function.Predicate<DockerEvent> accept) {
            this.type = type;
            this.onEvent = onEvent;
            this.onError = onError;
            this.accept = accept;
        }

        @Override
        public void onStart(Closeable stream) {
            synchronized (this) {
                super.onStart(stream);
                if (closing) {
                    // Given up on before Docker answered: ResultCallbackTemplate would keep this late stream open
                    // forever (a leaked connection whose events still arrive), so it is closed here.
                    closeQuietly(stream);
                }
            }
            outcome.countDown();
        }

        /** Whether the stream started or failed within the time (its failure was then told to onError). */
        boolean awaitOutcome(long timeout, TimeUnit unit) throws InterruptedException {
            return outcome.await(timeout, unit);
        }

        @Override
        public void onNext(Event e) {
            if (closing) {
                return;
            }
            Map<String, String> attributes = e.getActor() == null ? Map.of() : e.getActor().getAttributes();
            String id = e.getActor() != null && e.getActor().getId() != null ? e.getActor().getId() : e.getId();
            String eventType = e.getType() == null ? type : e.getType().getValue();
            DockerEvent event = new DockerEvent(eventType, e.getAction(), id, attributes,
                    e.getTimeNano() == null ? 0L : e.getTimeNano());
            if (accept.test(event) && deduper.firstTime(event)) {
                onEvent.accept(event);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!closing) {
                log.debug("{} event stream failed: {}", type, t.toString());
                onError.accept(t);
            }
            // Not super.onError: docker-java logs every stream error with its stack trace at ERROR (a dockerd that
            // stops, an operator that closes its stream); the listener above reports it once, in one line.
            closeQuietly(this);
            outcome.countDown();
        }

        @Override
        public void onComplete() {
            if (!closing) {
                onError.accept(new DockerActionException(DockerActionException.DOCKER_UNAVAILABLE,
                        type + " event stream ended"));
            }
            super.onComplete();
        }

        @Override
        public void close() throws IOException {
            synchronized (this) {
                closing = true;
            }
            super.close();
        }
    }

    /** Runs one Docker API call and tells the listener its operation, outcome and duration. */
    private <T> T call(String operation, java.util.function.Supplier<T> body) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = body.get();
            outcome = "success";
            return result;
        } catch (NotModifiedException e) {
            outcome = "not_modified";
            throw e;
        } catch (NotFoundException e) {
            outcome = "not_found";
            throw e;
        } catch (ConflictException e) {
            outcome = "conflict";
            throw e;
        } catch (RuntimeException e) {
            outcome = DockerActionException.DOCKER_UNAVAILABLE.equals(DockerErrors.classify(operation, e).reason())
                    ? "unavailable" : "error";
            throw e;
        } finally {
            try {
                calls.call(operation, outcome, System.nanoTime() - start);
            } catch (RuntimeException e) {
                log.debug("Docker call listener failed: {}", e.toString());
            }
        }
    }

    private static void closeQuietly(Closeable... closeables) {
        for (Closeable c : closeables) {
            try {
                c.close();
            } catch (IOException e) {
                log.debug("closing event stream: {}", e.toString());
            }
        }
    }

    private static String name(Container c) {
        String[] names = c.getNames();
        if (names == null || names.length == 0) {
            return c.getId();
        }
        return names[0].startsWith("/") ? names[0].substring(1) : names[0];
    }

    private static String shortId(String id) {
        return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
    }
}
