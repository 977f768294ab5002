package dev.berth.operator.cache;

import dev.berth.operator.queue.RetryPolicy;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.stack.ObservedStack;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Berth-labelled containers and networks exist on this host, grouped by owner ("stack/web").
 * A full list (two Docker calls, {@link DockerLists}) fills it at start and on every resync; Docker's event stream
 * ({@link DockerEventFeed}) says when to list again, so the steady state costs no calls and no per-container
 * inspects (a container is inspected only when it is new or has news, {@link ContainerRuns}). Each list replaces the view by owner ({@link OwnerIndex}), tells the owners that changed, and hands the
 * whole list, addresses and ports included, to whoever publishes from it (route backends, Network endpoints). All of it runs on one thread
 * ({@link CacheThread}).
 */
public final class ObservedCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ObservedCache.class);
    private static final long LIVE_TIMEOUT_SECONDS = 30;
    /**
     * How long Docker must stay reachable after it returned, and a stopped container stay stopped, before Berth
     * changes containers: a dockerd going down stops every container a second or two before its API goes away.
     */
    private static final Duration SETTLE = Duration.ofSeconds(3);

    private final CacheThread thread = new CacheThread("observed-cache");
    private final DockerLists lists;
    private final OwnerIndex index = new OwnerIndex();
    private final DockerEventFeed events;
    private final Consumer<String> onOwnerChange;
    private final List<Runnable> imageListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Told every successful list; registered before {@link #start}, so a copy-on-write list costs nothing. */
    private final List<Consumer<List<ListedContainer>>> onListed = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Told every list that listed containers, with when it began (not a network-only list's older containers). */
    private final List<java.util.function.BiConsumer<List<ListedContainer>, java.time.Instant>> onContainersListed =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean synced;
    /** A follow-up list for containers over the inspect cap is scheduled (cache thread only). */
    private boolean catchUpScheduled;
    private final CatchUpDelay catchUp;
    private final ContainerRuns runs;
    /** Whether Docker is steady enough to change containers (see {@link #holdChanges}). */
    private final DockerSteadiness steadiness;

    /**
     * @param onListed told every successful list of containers (on the cache's thread)
     * @param resync   the resync period: the longest wait between follow-up lists that make no progress
     * @param dockerHost where Docker is, for the logs
     */
    public ObservedCache(Docker docker, Consumer<String> onOwnerChange, Consumer<List<ListedContainer>> onListed,
                         RetryPolicy reconnect, MeterRegistry registry, Duration resync, String dockerHost) {
        this.onOwnerChange = onOwnerChange;
        this.onListed.add(onListed);
        this.catchUp = new CatchUpDelay(resync);
        this.runs = new ContainerRuns(docker);
        this.lists = new DockerLists(docker, runs, registry);
        this.steadiness = new DockerSteadiness(System::nanoTime, SETTLE, dockerHost);
        this.events = new DockerEventFeed(docker, thread, reconnect, this::relist, runs, steadiness,
                () -> imageListeners.forEach(Runnable::run), registry);
    }

    /**
     * Told (on the cache's thread) when Docker reports a change to any image on this host, and when its event stream
     * ended, since changes may then go unreported; call before {@link #start}.
     */
    public void addImageChangeListener(Runnable listener) {
        imageListeners.add(listener);
    }

    /** One more consumer of every successful list of containers (on the cache's thread); call before {@link #start}. */
    public void addListListener(Consumer<List<ListedContainer>> listener) {
        onListed.add(listener);
    }

    /**
     * One more consumer of every list that listed the containers, with the time that list began (on the cache's
     * thread); call before {@link #start}. Unlike {@link #addListListener}, never handed the containers of an
     * earlier list again after a list of networks only: for consumers that must know how old the list is.
     */
    public void addContainerListListener(java.util.function.BiConsumer<List<ListedContainer>, java.time.Instant> listener) {
        onContainersListed.add(listener);
    }

    public void start() {
        thread.execute(() -> {
            relistAll();
            events.connect();
        });
    }

    /** Listed at least once: forOwner can be trusted to say what is (not) there. */
    public boolean synced() {
        return synced;
    }

    /** The event stream is live, so changes show within the debounce rather than at the next resync. */
    public boolean streaming() {
        return events.streaming();
    }

    /**
     * How long container changes must wait (empty: Docker is steady): while Docker is unreachable, shortly after it
     * returned, and shortly after containers of ours stopped by themselves (a dockerd shutting down stops them all
     * before it goes away; Docker restarts them when it is back). See {@link DockerSteadiness}.
     */
    public Optional<Duration> holdChanges() {
        return steadiness.hold();
    }

    public ObservedStack forOwner(String owner) {
        return index.forOwner(owner);
    }

    public Set<String> owners() {
        return index.owners();
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
            boolean listed = thread.call(() -> lists.fullListStartedAfter(asked) ? lists.lastFullListOk() : relistAll(),
                    LIVE_TIMEOUT_SECONDS);
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
        return index.listedAfter(nanoTime);
    }

    /** Lists everything again now; the resync timer calls this. */
    public void resync() {
        thread.execute(this::relistAll);
    }

    private boolean relistAll() {
        return relist(true, true);
    }

    /** Lists the kinds asked for, replaces the view and tells who needs to know. False when Docker failed. */
    private boolean relist(boolean containers, boolean networks) {
        events.listing(containers, networks, System.nanoTime());
        Optional<DockerLists.Listing> listing = lists.list(containers, networks);
        if (listing.isEmpty()) {
            steadiness.listFailed(lists.lastError());
            return false;
        }
        if (listing.get().containersTaken().isPresent()) {
            steadiness.listed(listing.get().containers());
        } else {
            steadiness.answered();
        }
        if (containers) {
            catchUp.after(runs.progress(), !runs.anyStale());
        }
        if (lists.runsBehind() && !catchUpScheduled) {
            // Containers over the inspect cap wait for this follow-up list, not for the next event or resync; sooner
            // while the lists make progress, later while every inspect fails (see CatchUpDelay).
            catchUpScheduled = true;
            thread.schedule(() -> {
                catchUpScheduled = false;
                relist(true, false);
            }, catchUp.nextMs());
        }
        List<ListedContainer> listed = listing.get().containers();
        // The view and its list's time in one step: "listed after" is never true of a view not yet replaced.
        Set<String> changed = index.replace(listed.stream().map(ListedContainer::container).toList(),
                listing.get().networks(), listing.get().listedSince());
        synced = true;
        for (Consumer<List<ListedContainer>> listener : onListed) {
            try {
                listener.accept(listed);
            } catch (RuntimeException e) {
                log.error("observed: list listener failed", e);
            }
        }
        listing.get().containersTaken().ifPresent(at -> {
            for (var listener : onContainersListed) {
                try {
                    listener.accept(listed, at);
                } catch (RuntimeException e) {
                    log.error("observed: container list listener failed", e);
                }
            }
        });
        for (String owner : changed) {
            try {
                onOwnerChange.accept(owner);
            } catch (RuntimeException e) {
                log.error("observed {}: change listener failed", owner, e);
            }
        }
        return true;
    }

    @Override
    public void close() {
        thread.close(events::close);
    }
}
