package dev.berth.operator.cache;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.reconcilers.docker.DockerEvent;
import dev.berth.reconcilers.docker.DockerGateway;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.ObservedContainer;
import dev.berth.reconcilers.stack.ObservedNetwork;
import dev.berth.reconcilers.stack.ObservedStack;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Berth-labelled containers and networks exist on this host, grouped by owner ("stack/web").
 * A full list (two Docker calls) fills it at start and on every resync; Docker's event stream says when to
 * list again (debounced), so the steady state costs no calls and no per-container inspects.
 * The event stream reconnects with backoff from the last event's time; replayed events are de-duplicated.
 */
public final class ObservedCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ObservedCache.class);
    private static final long DEBOUNCE_MS = 150;
    private static final int SEEN_EVENTS = 4096;
    private static final long LIVE_TIMEOUT_SECONDS = 30;

    private final DockerGateway docker;
    private final Consumer<String> onOwnerChange;
    private final Consumer<List<Container>> onListed;
    private final RetryPolicy reconnect;
    private final ScheduledExecutorService loop;
    private final Counter dockerListErrors;
    private final Counter eventReconnects;
    private volatile Map<String, ObservedStack> byOwner = Map.of();
    private volatile boolean synced;
    private volatile boolean streaming;
    private boolean refreshScheduled;
    private Closeable stream;
    private long lastEventNanos;
    private int failedAttempts;
    private boolean closed;
    /** Set by close() (any thread): from then on, late callbacks and resyncs are dropped. */
    private volatile boolean closing;
    private final LinkedHashSet<String> seen = new LinkedHashSet<>();
    /** System.nanoTime() when the last list began, and whether it worked (read and written on the cache's thread). */
    private long lastListStarted = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private boolean lastListOk;
    /** When the last successful list began (read by reconcilers on other threads). */
    private volatile long freshSince = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** The last lists of each kind and when they began (cache thread only). */
    private List<Container> lastDetails;
    private List<ObservedNetwork> lastNetworks;
    private long containersListedAt;
    private long networksListedAt;
    /** What the events since the last scheduled refresh concern (cache thread only). */
    private boolean containersDirty;
    private boolean networksDirty;

    public ObservedCache(DockerGateway docker, Consumer<String> onOwnerChange, RetryPolicy reconnect,
                         MeterRegistry registry) {
        this(docker, onOwnerChange, containers -> { }, reconnect, registry);
    }

    /** @param onListed told every successful list of containers as Docker returned it (on the cache's thread) */
    public ObservedCache(DockerGateway docker, Consumer<String> onOwnerChange, Consumer<List<Container>> onListed,
                         RetryPolicy reconnect, MeterRegistry registry) {
        this.docker = docker;
        this.onOwnerChange = onOwnerChange;
        this.onListed = onListed;
        this.reconnect = reconnect;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "observed-cache");
            t.setDaemon(true);
            return t;
        });
        this.dockerListErrors = Counter.builder("berth.docker.list.errors")
                .description("Failed full lists of Berth's containers and networks").register(registry);
        this.eventReconnects = Counter.builder("berth.docker.event.reconnects")
                .description("Docker event stream reconnections").register(registry);
    }

    public void start() {
        loop.execute(() -> {
            refresh();
            connectEvents(null);
        });
    }

    public boolean synced() {
        return synced;
    }

    public boolean streaming() {
        return streaming;
    }

    public ObservedStack forOwner(String owner) {
        return byOwner.getOrDefault(owner, new ObservedStack(List.of(), List.of()));
    }

    public Set<String> owners() {
        return byOwner.keySet();
    }

    /**
     * Lists again now and returns the owner's fresh state. Reconcilers call this before they act on what the
     * cache showed, because the cache may not have seen their own last changes yet (a container just started
     * may still look "created"); acting on a stale view would replace healthy containers.
     */
    public ObservedStack refreshNow(String owner) {
        long asked = System.nanoTime();
        try {
            // Callers asking together share one list: any list that started after this call is fresh enough.
            boolean listed = loop.submit(() -> lastListStarted - asked > 0 ? lastListOk : refresh())
                    .get(LIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!listed) {
                throw new IllegalStateException("cannot list containers and networks from Docker");
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot list containers and networks from Docker: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing from Docker", e);
        }
        return forOwner(owner);
    }

    /**
     * Whether the cache's last successful list began after {@code nanoTime} (a System.nanoTime() value), i.e. it
     * already shows every change made before then.
     */
    public boolean listedAfter(long nanoTime) {
        return freshSince - nanoTime > 0;
    }

    /** Lists everything again now; the resync timer calls this. */
    public void resync() {
        onLoop(() -> refresh());
    }

    private boolean refresh() {
        return refresh(true, true);
    }

    /**
     * Lists what is asked for (both at start, on resync and for {@link #refreshNow}; after events only the kind
     * they concern, so a burst of container starts does not also list every network) and combines it with the
     * last list of the other kind.
     */
    private boolean refresh(boolean listContainers, boolean listNetworks) {
        if (listContainers && listNetworks) {
            refreshScheduled = false;
            lastListStarted = System.nanoTime();
            lastListOk = false;
        }
        long started = System.nanoTime();
        List<Container> details = lastDetails;
        List<ObservedNetwork> networks = lastNetworks;
        try {
            if (listContainers || details == null) {
                details = docker.listManagedContainerDetails();
            }
            if (listNetworks || networks == null) {
                networks = docker.listManagedNetworks();
            }
        } catch (RuntimeException e) {
            dockerListErrors.increment();
            log.warn("observed: cannot list containers and networks, keeping the last state: {}", e.getMessage());
            return false;
        }
        if (listContainers || lastDetails == null) {
            containersListedAt = started;
        }
        if (listNetworks || lastNetworks == null) {
            networksListedAt = started;
        }
        lastDetails = details;
        lastNetworks = networks;
        if (listContainers && listNetworks) {
            lastListOk = true;
        }
        freshSince = containersListedAt - networksListedAt > 0 ? networksListedAt : containersListedAt;
        List<ObservedContainer> containers = details.stream().map(DockerGateway::observed).toList();
        Map<String, List<ObservedContainer>> c = new HashMap<>();
        Map<String, List<ObservedNetwork>> n = new HashMap<>();
        for (ObservedContainer container : containers) {
            String owner = container.labels().get(BerthLabels.OWNER);
            if (owner != null) {
                c.computeIfAbsent(owner, k -> new ArrayList<>()).add(container);
            }
        }
        for (ObservedNetwork network : networks) {
            String owner = network.labels().get(BerthLabels.OWNER);
            if (owner != null) {
                n.computeIfAbsent(owner, k -> new ArrayList<>()).add(network);
            }
        }
        Map<String, ObservedStack> fresh = new HashMap<>();
        Set<String> owners = new HashSet<>(c.keySet());
        owners.addAll(n.keySet());
        for (String owner : owners) {
            fresh.put(owner, new ObservedStack(c.getOrDefault(owner, List.of()), n.getOrDefault(owner, List.of())));
        }
        Map<String, ObservedStack> previous = byOwner;
        byOwner = Map.copyOf(fresh);
        synced = true;
        try {
            onListed.accept(details);
        } catch (RuntimeException e) {
            log.error("observed: list listener failed", e);
        }
        Set<String> all = new HashSet<>(previous.keySet());
        all.addAll(fresh.keySet());
        for (String owner : all) {
            if (!Objects.equals(previous.get(owner), fresh.get(owner))) {
                try {
                    onOwnerChange.accept(owner);
                } catch (RuntimeException e) {
                    log.error("observed {}: change listener failed", owner, e);
                }
            }
        }
        return true;
    }

    private void connectEvents(Throwable cause) {
        if (closed) {
            return;
        }
        Instant since = lastEventNanos == 0 ? Instant.now() : Instant.ofEpochSecond(0, lastEventNanos);
        try {
            stream = docker.events(since, event -> onLoop(() -> onEvent(event)),
                    error -> onLoop(() -> onStreamEnd(error)));
            streaming = true;
            if (cause != null) {
                log.info("observed: Docker event stream reconnected");
                // Events may have been missed while disconnected: list again.
                refresh();
            }
            failedAttempts = 0;
        } catch (RuntimeException e) {
            onStreamEnd(e);
        }
    }

    private void onEvent(DockerEvent event) {
        streaming = true;
        String id = event.id() + "|" + event.action() + "|" + event.timeNano();
        if (!seen.add(id)) {
            return;
        }
        if (seen.size() > SEEN_EVENTS) {
            seen.remove(seen.iterator().next());
        }
        lastEventNanos = Math.max(lastEventNanos, event.timeNano());
        if ("network".equals(event.type()) && !event.action().equals("connect") && !event.action().equals("disconnect")) {
            networksDirty = true;
        } else if ("network".equals(event.type()) || !event.action().startsWith("exec_")) {
            // Connects change a container's addresses; health checks' exec_* events change nothing that is listed
            // (a changed health comes as its own health_status event).
            containersDirty = true;
        } else {
            return;
        }
        if (!refreshScheduled) {
            refreshScheduled = true;
            loop.schedule(() -> {
                boolean c = containersDirty;
                boolean n = networksDirty;
                containersDirty = false;
                networksDirty = false;
                refreshScheduled = false;
                if (c || n) {
                    refresh(c, n);
                }
            }, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void onStreamEnd(Throwable error) {
        if (closed) {
            return;
        }
        streaming = false;
        closeStream();
        eventReconnects.increment();
        long delay = reconnect.intervals().apply(++failedAttempts);
        log.warn("observed: Docker event stream ended ({}), reconnecting in {} ms",
                error == null ? "closed" : error.getMessage(), delay);
        Throwable cause = error == null ? new IOException("closed") : error;
        loop.schedule(() -> connectEvents(cause), delay, TimeUnit.MILLISECONDS);
    }

    private void closeStream() {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException | RuntimeException e) {
                log.debug("observed: closing event stream failed: {}", e.getMessage());
            }
            stream = null;
        }
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closing) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        onLoop(() -> {
            closed = true;
            closeStream();
        });
        loop.shutdown();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
