package dev.berth.operator.cache;

import dev.berth.operator.queue.RetryPolicy;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.DockerEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker's event stream for the observed cache. An event only says which kind of list is stale; {@value #DEBOUNCE_MS}
 * ms after it the feed asks for a list of those kinds, so a burst of events costs one list, and while events keep
 * coming it lists at most once per {@value #BUSY_GAP_MS} ms: converging 100 stacks listed every 150 ms, each list of
 * every container and network loading the dockerd that was starting them (issue 21). A stream
 * that ends is reconnected with backoff from the last event's time and followed by a full list (events may have
 * been missed meanwhile). Runs on the cache's thread. Both streams (containers, networks) report their end: only the
 * first end of a subscription reconnects, and only the first failure of an outage is a warning, so a dockerd that is
 * down for a while costs one line, not one per attempt.
 */
final class DockerEventFeed {
    private static final Logger log = LoggerFactory.getLogger(DockerEventFeed.class);
    private static final long DEBOUNCE_MS = 150;
    /** The least time between two lists the feed asks for; the first change after a quiet spell waits only the debounce. */
    private static final long BUSY_GAP_MS = 1000;
    /** A stream that lasted this long was established (not a reconnect refused at once). */
    private static final long ESTABLISHED_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    /** Lists the kinds named again. */
    @FunctionalInterface
    interface Relist {
        void relist(boolean containers, boolean networks);
    }

    private final Docker docker;
    private final CacheThread thread;
    private final RetryPolicy reconnect;
    private final Relist relist;
    private final ContainerRuns runs;
    private final DockerSteadiness steadiness;
    /** Told when an image on the host changed, or when events may have been missed. */
    private final Runnable imagesChanged;
    private final Counter reconnects;
    /** Counts subscriptions: an end reported by an older one (its second stream, say) is ignored. */
    private int subscription;
    /** System.nanoTime() when the current subscription was made. */
    private long connectedAt;
    private volatile boolean streaming;
    private Closeable stream;
    private long lastEventNanos;
    private int failedAttempts;
    private boolean closed;
    /** What the events since the last scheduled list concern. */
    private boolean containersDirty;
    private boolean networksDirty;
    private boolean relistScheduled;
    /** System.nanoTime() when the cache last began a list, whoever asked for it. */
    private long lastRelistNanos = System.nanoTime() - java.util.concurrent.TimeUnit.DAYS.toNanos(1);
    /** When the first event since the kind was last clean was read (System.nanoTime()). */
    private long containersDirtySince;
    private long networksDirtySince;

    DockerEventFeed(Docker docker, CacheThread thread, RetryPolicy reconnect, Relist relist, ContainerRuns runs,
                    DockerSteadiness steadiness, Runnable imagesChanged, MeterRegistry registry) {
        this.docker = docker;
        this.imagesChanged = imagesChanged;
        this.steadiness = steadiness;
        this.runs = runs;
        this.thread = thread;
        this.reconnect = reconnect;
        this.relist = relist;
        this.reconnects = Counter.builder("berth.docker.event.reconnects")
                .description("Docker event stream reconnections").register(registry);
    }

    /** Subscribes from now (on the cache's thread). */
    void connect() {
        connect(null);
    }

    boolean streaming() {
        return streaming;
    }

    private void connect(Throwable cause) {
        if (closed) {
            return;
        }
        Instant since = lastEventNanos == 0 ? Instant.now() : Instant.ofEpochSecond(0, lastEventNanos);
        int mine = ++subscription;
        connectedAt = System.nanoTime();
        try {
            stream = docker.events(since, event -> thread.execute(() -> onEvent(event)),
                    error -> thread.execute(() -> onStreamEnd(mine, error)));
            streaming = true;
            if (cause != null) {
                log.info("observed: Docker event stream reconnected");
                runs.gap();
                imagesChanged.run();
                relist.relist(true, true);
            }
            // failedAttempts is not reset here: a stream Docker refuses (a proxy's 403) "connects" and ends at once,
            // and the backoff must grow for it. An event, or a stream that lived, resets it.
        } catch (RuntimeException e) {
            onStreamEnd(mine, e);
        }
    }

    private void onEvent(DockerEvent event) {
        streaming = true;
        failedAttempts = 0;
        lastEventNanos = Math.max(lastEventNanos, event.timeNano());
        if ("image".equals(event.type())) {
            imagesChanged.run();
            return;
        }
        runs.event(event);
        steadiness.event(event);
        if ("network".equals(event.type()) && !event.action().equals("connect") && !event.action().equals("disconnect")) {
            networksDirtySince = networksDirty ? networksDirtySince : System.nanoTime();
            networksDirty = true;
        } else if ("network".equals(event.type()) || !event.action().startsWith("exec_")) {
            // Connects change a container's addresses; health checks' exec_* events change nothing that is listed
            // (a changed health comes as its own health_status event).
            containersDirtySince = containersDirty ? containersDirtySince : System.nanoTime();
            containersDirty = true;
        } else {
            return;
        }
        if (!relistScheduled) {
            relistScheduled = true;
            long sinceLast = (System.nanoTime() - lastRelistNanos) / 1_000_000;
            thread.schedule(() -> {
                boolean c = containersDirty;
                boolean n = networksDirty;
                containersDirty = false;
                networksDirty = false;
                relistScheduled = false;
                if (c || n) {
                    relist.relist(c, n);
                }
            }, Math.max(DEBOUNCE_MS, BUSY_GAP_MS - sinceLast));
        }
    }

    /**
     * The cache begins a list (of the feed's asking, a reconciler's, the resync's): the busy gap counts from it, and
     * the events read before it need no list of their own.
     */
    void listing(boolean containers, boolean networks, long startedNanos) {
        lastRelistNanos = startedNanos;
        if (containers && containersDirty && startedNanos - containersDirtySince > 0) {
            containersDirty = false;
        }
        if (networks && networksDirty && startedNanos - networksDirtySince > 0) {
            networksDirty = false;
        }
    }

    private void onStreamEnd(int ended, Throwable error) {
        if (closed || ended != subscription) {
            return;
        }
        // From here on, the other stream's end (or a late error) of this subscription is stale.
        subscription++;
        streaming = false;
        closeStream();
        reconnects.increment();
        if (System.nanoTime() - connectedAt > ESTABLISHED_NANOS) {
            failedAttempts = 0;
        }
        long delay = reconnect.intervals().apply(++failedAttempts);
        String why = error == null ? "closed" : error.getMessage();
        if (failedAttempts == 1) {
            // Not a warning of its own: the list right below says whether Docker is away (DockerSteadiness warns).
            log.info("observed: Docker event stream ended ({}), reconnecting", why);
        } else {
            log.debug("observed: Docker event stream still down ({}), reconnecting in {} ms", why, delay);
        }
        // Whether Docker itself is away (a shutdown) or only the stream was cut: a list says which, now.
        steadiness.streamEnded(System.nanoTime() - connectedAt > ESTABLISHED_NANOS);
        relist.relist(true, true);
        imagesChanged.run();
        Throwable cause = error == null ? new IOException("closed") : error;
        thread.schedule(() -> connect(cause), delay);
    }

    /** Stops for good (on the cache's thread). */
    void close() {
        closed = true;
        closeStream();
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
}
