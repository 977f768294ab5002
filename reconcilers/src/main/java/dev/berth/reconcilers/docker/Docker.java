package dev.berth.reconcilers.docker;

import java.io.Closeable;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Berth's only way to Docker, for stacks, overlays and the observed cache alike, in Berth's own types. It lists only
 * objects labelled {@code berth.dev/managed-by=<instance>}; the ids it is asked to change come from those lists.
 * Every change is idempotent: "already there" and "already gone" succeed. Failures are
 * {@link DockerActionException}s with a reason a person can act on. Images are {@link DockerImages}'.
 */
public interface Docker {
    /** The managed-by label value of the objects this Docker lists and acts on. */
    String instance();

    /** One list call, stopped containers included, with each container's network addresses and published ports. */
    List<ListedContainer> listManagedContainerDetails();

    /** One list call, stopped containers included: what planners need of each container. */
    default List<ObservedContainer> listManagedContainers() {
        return listManagedContainerDetails().stream().map(ListedContainer::container).toList();
    }

    /** One list call. */
    List<ObservedNetwork> listManagedNetworks();

    /**
     * One inspect call: the container's restart count, start time and, unless it runs (Docker clears the code when
     * it starts again), its exit code. Empty when the container is gone.
     */
    Optional<ContainerRun> inspectRun(String id);

    /**
     * Streams events of managed containers and networks, and of every image, from {@code since} (one-second granularity; replays are
     * dropped). Returns once the streams are live. {@code onError} is also told when a stream ends by itself (e.g.
     * the daemon restarted): subscribe again then. Close to stop.
     */
    Closeable events(Instant since, Consumer<DockerEvent> onEvent, Consumer<Throwable> onError);

    /**
     * Creates and starts the container; returns its id. If a container of that name exists and is this very plan
     * (managed, same spec hash) — e.g. a previous pass crashed between create and start — it is started instead.
     */
    String createAndStart(ContainerPlan plan);

    /**
     * Creates the container without starting it and joins its other networks; returns its id. A safe recreate
     * creates the replacement first, so a spec Docker refuses at create never stops what runs.
     */
    String create(ContainerPlan plan);

    void start(String id);

    /**
     * Stops the container and keeps it (it can be started again): its stop signal, then its grace period
     * ({@link dev.berth.reconcilers.labels.BerthLabels#STOP_GRACE_SECONDS}) before the kill; without one, killed at
     * once, as a remove does.
     * Stopped or gone already is fine.
     */
    void stop(String id);

    /** Renames a container (the replacement of a start-first update takes its predecessor's name). */
    void rename(String id, String newName);

    /** Forced, so a running container goes too; named volumes stay (they hold data). Gone already is fine. */
    void remove(String id);

    /** The output of the container's last health check, for a status message ("" when there is none or on error). */
    String lastHealthOutput(String id);

    /** The host's CPUs and memory ({@code docker info}), what the scheduler places reservations against. */
    HostCapacity capacity();

    /**
     * A stack's network. A network of that name that Berth does not own for this stack is a NameConflict, never
     * adopted. Returns the network's id.
     */
    String createNetwork(NetworkPlan plan);

    /** An overlay's bridge network with this host's ip-range and gateway. Returns the network's id. */
    String createOverlayNetwork(OverlayNetworkPlan plan);

    /** The network of exactly that name, whoever owns it (look at its labels before touching it). */
    Optional<ObservedNetwork> findNetwork(String name);

    /**
     * How many containers are configured on the network, stopped ones included (a network inspect lists only
     * running endpoints, and a crash-looping container must not lose its network). 0 when the network is gone.
     */
    int attachedContainers(String networkId);

    /** Gone already is fine; {@code name} is for the log and the error message. */
    void removeNetwork(String id, String name);
}
