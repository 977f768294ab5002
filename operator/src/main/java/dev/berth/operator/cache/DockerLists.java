package dev.berth.operator.cache;

import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists Berth's containers and networks from Docker and keeps the last list of each kind, so a list after events
 * asks only for the kind they concern. Remembers when its lists began, for callers that must see their own changes.
 * Used on the cache's thread only.
 */
final class DockerLists {
    private static final Logger log = LoggerFactory.getLogger(DockerLists.class);

    /**
     * One consistent view: the last list of each kind.
     *
     * @param containersTaken when the containers were listed, if this call listed them; empty when it listed only
     *                        networks and the containers are the last list's (maybe far older)
     * @param listedSince     System.nanoTime() when the older of the two kinds was last listed: the view shows every
     *                        change made before then
     */
    record Listing(List<ListedContainer> containers, List<ObservedNetwork> networks,
                   Optional<java.time.Instant> containersTaken, long listedSince) {
    }

    private final Docker docker;
    private final ContainerRuns runs;
    private final Counter errors;
    /** System.nanoTime() when the last full list began, and whether it worked. */
    private long lastFullStarted = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private boolean lastFullOk;
    /** Why the last list failed ("" before any failure). */
    private String lastError = "";
    private List<ListedContainer> lastContainers;
    private List<ObservedNetwork> lastNetworks;
    private long containersListedAt;
    private long networksListedAt;

    DockerLists(Docker docker, MeterRegistry registry) {
        this(docker, new ContainerRuns(docker), registry);
    }

    /** @param runs fills in what the list does not carry (restarts, exit code), inspecting only what changed */
    DockerLists(Docker docker, ContainerRuns runs, MeterRegistry registry) {
        this.docker = docker;
        this.runs = runs;
        this.errors = Counter.builder("berth.docker.list.errors")
                .description("Failed full lists of Berth's containers and networks").register(registry);
    }

    /**
     * Lists what is asked for (a kind never listed yet too) and combines it with the last list of the other kind.
     * Empty when Docker could not be listed; the last lists stay as they were then.
     */
    Optional<Listing> list(boolean containers, boolean networks) {
        boolean full = containers && networks;
        if (full) {
            lastFullStarted = System.nanoTime();
            lastFullOk = false;
        }
        long started = System.nanoTime();
        java.time.Instant startedAt = java.time.Instant.now();
        List<ListedContainer> c = lastContainers;
        List<ObservedNetwork> n = lastNetworks;
        try {
            if (containers || c == null) {
                c = runs.fill(docker.listManagedContainerDetails());
            }
            if (networks || n == null) {
                n = docker.listManagedNetworks();
            }
        } catch (RuntimeException e) {
            errors.increment();
            lastError = e.getMessage();
            // The caller warns once per outage (DockerSteadiness); a dockerd away for a minute fails many lists.
            log.debug("observed: cannot list containers and networks, keeping the last state: {}", e.getMessage());
            return Optional.empty();
        }
        boolean listedContainers = containers || lastContainers == null;
        if (listedContainers) {
            containersListedAt = started;
        }
        if (networks || lastNetworks == null) {
            networksListedAt = started;
        }
        lastContainers = c;
        lastNetworks = n;
        if (full) {
            lastFullOk = true;
        }
        // Not published here: the cache publishes it with the view made from this listing (see OwnerIndex), so no one
        // reads "listed after" while the view is still the one before.
        long listedSince = containersListedAt - networksListedAt > 0 ? networksListedAt : containersListedAt;
        return Optional.of(new Listing(c, n, listedContainers ? Optional.of(startedAt) : Optional.empty(), listedSince));
    }

    /** The last container list left news uninspected (see {@link ContainerRuns#behind}): list again soon. */
    boolean runsBehind() {
        return runs.behind();
    }

    /** Whether a full list began after {@code nanoTime}: callers asking together share it. */
    boolean fullListStartedAfter(long nanoTime) {
        return lastFullStarted - nanoTime > 0;
    }

    String lastError() {
        return lastError;
    }

    boolean lastFullListOk() {
        return lastFullOk;
    }
}
