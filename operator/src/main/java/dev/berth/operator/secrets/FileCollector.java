package dev.berth.operator.secrets;

import dev.berth.reconcilers.docker.ListedContainer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes Secret and Config files no container uses any more, from the observed cache's lists of containers (every
 * container of this instance, any state): shortly after a list, never more than one run at a time, and again when
 * the grace of a directory kept only for its grace ends (after a fresh list). On a thread of its own, away from the
 * cache's.
 */
public final class FileCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileCollector.class);
    /** Lists come in bursts (events, resyncs): one run after the burst. */
    private static final Duration AFTER_LIST = Duration.ofSeconds(1);

    private final HostFiles files;
    private final Clock clock;
    /** Asks the observed cache for a fresh list (which comes back through {@link #listed}). */
    private final Runnable relist;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "secret-files-gc");
        t.setDaemon(true);
        return t;
    });
    private Set<String> sources;
    private Instant listedAt;
    private ScheduledFuture<?> next;
    private ScheduledFuture<?> nextList;

    public FileCollector(HostFiles files, Clock clock, Runnable relist) {
        this.files = files;
        this.clock = clock;
        this.relist = relist;
    }

    /**
     * Told every list of this instance's containers (on the cache's thread), with when it began: the grace of the
     * files is counted up to then, never up to when a list (maybe an old one) was handed on.
     */
    public void listed(List<ListedContainer> containers, Instant takenAt) {
        Set<String> used = new HashSet<>();
        containers.forEach(c -> used.addAll(c.mounts().values()));
        synchronized (this) {
            if (listedAt != null && takenAt.isBefore(listedAt)) {
                return; // never replace a newer list with an older one
            }
            sources = used;
            listedAt = takenAt;
        }
        runIn(AFTER_LIST);
    }

    private synchronized void runIn(Duration delay) {
        next = earliest(next, this::run, delay);
    }

    private synchronized void listIn(Duration delay) {
        nextList = earliest(nextList, relist, delay);
    }

    /** {@code task} after {@code delay}, unless it is due sooner already. */
    private ScheduledFuture<?> earliest(ScheduledFuture<?> pending, Runnable task, Duration delay) {
        if (timer.isShutdown()) {
            return pending;
        }
        if (pending != null && !pending.isDone() && pending.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
            return pending;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        return timer.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void run() {
        Set<String> used;
        Instant at;
        synchronized (this) {
            used = sources;
            at = listedAt;
        }
        if (used == null) {
            return;
        }
        try {
            Optional<Instant> again = files.collect(used, at);
            // A directory kept for its grace goes once a list taken after the grace shows no container using it:
            // ask for that list then (it schedules the run).
            again.ifPresent(t -> listIn(Duration.between(clock.instant(), t).plusSeconds(1)));
        } catch (RuntimeException e) {
            log.warn("removing unused Secret and Config files failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
