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
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Network;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.ContainerPlan;
import dev.berth.reconcilers.stack.NetworkAttachment;
import dev.berth.reconcilers.stack.NetworkPlan;
import dev.berth.reconcilers.stack.ObservedContainer;
import dev.berth.reconcilers.stack.ObservedNetwork;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Berth's only way to Docker for stacks. It lists only objects labelled {@code berth.dev/managed-by=<instance>}; the ids it
 * is asked to change come from those lists. Every method is idempotent: "already there" and "already gone" succeed.
 * Failures are {@link DockerActionException}s. It never pulls images.
 */
public final class DockerGateway {
    private static final Logger log = LoggerFactory.getLogger(DockerGateway.class);

    private final DockerClient docker;
    private final DockerClient eventsDocker;
    private final String instance;
    private final Map<String, String> managed;
    private final String managedFilter;
    private final EventDeduper deduper = new EventDeduper(4096);
    private final DockerCallListener calls;

    /** @param instance the managed-by label value this gateway lists and acts on (see {@link BerthLabels}) */
    public DockerGateway(DockerClient docker, String instance) {
        this(docker, docker, instance);
    }

    /** @param eventsDocker a client without a response timeout (see {@link DockerClients#connectForEvents}) */
    public DockerGateway(DockerClient docker, DockerClient eventsDocker, String instance) {
        this(docker, eventsDocker, instance, DockerCallListener.NONE);
    }

    /** @param calls told the operation, outcome and duration of every Docker API call (metrics) */
    public DockerGateway(DockerClient docker, DockerClient eventsDocker, String instance, DockerCallListener calls) {
        this.calls = Objects.requireNonNull(calls);
        this.instance = Objects.requireNonNull(instance);
        this.managed = Map.of(BerthLabels.MANAGED_BY, instance);
        this.managedFilter = BerthLabels.MANAGED_BY + "=" + instance;
        this.docker = Objects.requireNonNull(docker);
        this.eventsDocker = Objects.requireNonNull(eventsDocker);
    }

    /** The managed-by label value of the objects this gateway owns. */
    public String instance() {
        return instance;
    }

    /** One list call, stopped containers included. */
    public List<ObservedContainer> listManagedContainers() {
        return listManagedContainerDetails().stream().map(DockerGateway::observed).toList();
    }

    /**
     * One list call, stopped containers included, as Docker returns them (ports and network addresses too), so
     * one list can serve the observed cache and the route backends alike.
     */
    public List<Container> listManagedContainerDetails() {
        try {
            List<Container> list = call("list_containers", () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(managed).exec());
            return list.stream().filter(c -> BerthLabels.isManaged(c.getLabels(), instance)).toList();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list containers", e);
        }
    }

    public static ObservedContainer observed(Container c) {
        return new ObservedContainer(c.getId(), name(c), c.getLabels(), c.getState(),
                ContainerStatusText.health(c.getStatus()), c.getCreated() == null ? 0 : c.getCreated());
    }

    /** One list call. */
    public List<ObservedNetwork> listManagedNetworks() {
        try {
            List<Network> list = call("list_networks", () -> docker.listNetworksCmd().withFilter("label", List.of(managedFilter)).exec());
            return list.stream()
                    .filter(n -> BerthLabels.isManaged(n.getLabels(), instance))
                    .map(n -> new ObservedNetwork(n.getId(), n.getName(), n.getLabels()))
                    .toList();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list networks", e);
        }
    }

    /**
     * Creates and starts the container; returns its id. If a container of that name exists and is this very plan
     * (managed, same spec hash) — e.g. a previous pass crashed between create and start — it is started instead.
     */
    public String createAndStart(ContainerPlan plan) {
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
                        + " is not on this host and Berth never pulls (" + DockerErrors.dockerMessage(e) + ")", e);
            }
            throw failure;
        }
        for (NetworkAttachment extra : plan.networks().subList(Math.min(1, plan.networks().size()), plan.networks().size())) {
            connect(plan, id, extra);
        }
        start(id, plan.name());
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
        boolean same = BerthLabels.isManaged(labels, instance) && plan.specHash().equals(labels.get(BerthLabels.SPEC_HASH));
        if (!same) {
            throw new DockerActionException(DockerActionException.NAME_CONFLICT, "create container " + plan.name()
                    + ": a container with that name exists and is not this spec ("
                    + DockerErrors.dockerMessage(conflict) + ")", conflict);
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

    /** Renames a container (the replacement of a start-first update takes its predecessor's name). */
    public void rename(String id, String newName) {
        try {
            call("rename_container", () -> docker.renameContainerCmd(id).withName(newName).exec());
            log.info("renamed container id={} to {}", shortId(id), newName);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("rename container " + shortId(id) + " to " + newName, e);
        }
    }

    /** The output of the container's last health check, for a status message ("" when there is none). */
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

    /** Forced, so a running container goes too; named volumes stay (they hold data). Gone already is fine. */
    public void remove(String id) {
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

    /**
     * Creates with CheckDuplicate (Docker 1.41 accepts duplicate names without it; with it, a taken name is a 409).
     * Returns the network's id. A network of that name that Berth does not own for this stack is a NameConflict;
     * never adopted.
     */
    public String createNetwork(NetworkPlan plan) {
        String what = "create network " + plan.name();
        try {
            // No look-up first: the conflict path below adopts or reports a taken name, so the common case is one call.
            var cmd = docker.createNetworkCmd().withName(plan.name()).withDriver(plan.driver())
                    .withInternal(plan.internal()).withLabels(plan.labels()).withCheckDuplicate(true);
            if (plan.subnet() != null) {
                cmd.withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(plan.subnet())));
            }
            String id = call("create_network", () -> cmd.exec()).getId();
            log.info("created network {} id={} hash={}", plan.name(), shortId(id), plan.specHash());
            return id;
        } catch (ConflictException e) {
            // Created by someone else between our look-up and our create.
            return findNetwork(plan.name()).map(n -> adopt(plan, n))
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

    private Optional<Network> findNetwork(String name) {
        // The name filter matches substrings: compare exactly.
        return call("list_networks", () -> docker.listNetworksCmd().withNameFilter(name).exec()).stream()
                .filter(n -> name.equals(n.getName())).findFirst();
    }

    /** Gone already is fine. */
    public void removeNetwork(String id) {
        try {
            call("remove_network", () -> docker.removeNetworkCmd(id).exec());
            log.info("removed network id={}", shortId(id));
        } catch (NotFoundException e) {
            log.debug("network id={} already gone", shortId(id));
        } catch (RuntimeException e) {
            throw DockerErrors.classify("remove network " + shortId(id), e);
        }
    }

    /**
     * Streams events of managed containers and networks from {@code since} (one-second granularity; replays are
     * dropped). Returns once both streams are live. {@code onError} is also told when a stream ends by itself
     * (e.g. the daemon restarted): subscribe again then. Close to stop.
     *
     * <p>Docker's label filter drops network events (they carry no labels), so networks are filtered here: by the
     * ids of managed networks, learnt from a list at subscription and from inspecting each created network.
     */
    public Closeable events(Instant since, Consumer<DockerEvent> onEvent, Consumer<Throwable> onError) {
        String sinceText = Long.toString(since.getEpochSecond());
        Set<String> managedNetworkIds = ConcurrentHashMap.newKeySet();
        listManagedNetworks().forEach(n -> managedNetworkIds.add(n.id()));
        StreamCallback containers = new StreamCallback("container", onEvent, onError, e -> true);
        StreamCallback networks = new StreamCallback("network", onEvent, onError,
                e -> isManagedNetworkEvent(e, managedNetworkIds));
        call("events", () -> eventsDocker.eventsCmd().withSince(sinceText).withEventTypeFilter(EventType.CONTAINER)
                .withLabelFilter(managed).exec(containers));
        call("events", () -> eventsDocker.eventsCmd().withSince(sinceText).withEventTypeFilter(EventType.NETWORK)
                .exec(networks));
        try {
            if (!containers.awaitStarted(10, TimeUnit.SECONDS) || !networks.awaitStarted(10, TimeUnit.SECONDS)) {
                closeQuietly(containers, networks);
                throw new DockerActionException(DockerActionException.DOCKER_UNAVAILABLE,
                        "event stream did not start within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(containers, networks);
            throw new DockerActionException(DockerActionException.DOCKER_UNAVAILABLE, "interrupted", e);
        }
        return () -> closeQuietly(containers, networks);
    }

    private boolean isManagedNetworkEvent(DockerEvent e, Set<String> known) {
        if ("create".equals(e.action()) && !known.contains(e.id())) {
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

        StreamCallback(String type, Consumer<DockerEvent> onEvent, Consumer<Throwable> onError,
                       java.util.function.Predicate<DockerEvent> accept) {
            this.type = type;
            this.onEvent = onEvent;
            this.onError = onError;
            this.accept = accept;
        }

        @Override
        public void onNext(Event e) {
            Map<String, String> attributes = e.getActor() == null ? Map.of() : e.getActor().getAttributes();
            String id = e.getActor() != null && e.getActor().getId() != null ? e.getActor().getId() : e.getId();
            DockerEvent event = new DockerEvent(type, e.getAction(), id, attributes,
                    e.getTimeNano() == null ? 0L : e.getTimeNano());
            if (accept.test(event) && deduper.firstTime(event)) {
                onEvent.accept(event);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!closing) {
                log.warn("{} event stream failed: {}", type, t.toString());
                onError.accept(t);
            }
            super.onError(t);
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
            closing = true;
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
