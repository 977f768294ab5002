package dev.berth.operator.cache;

import dev.berth.operator.kit.Source;
import dev.berth.operator.kit.Topic;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.RefusalWarnings;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The values under one etcd prefix, mirrored: list, then watch from the listed revision + 1. On a compacted
 * revision it re-lists and diffs (a key gone from the list is a delete); on any other watch end it reconnects
 * with backoff and keeps the last good state meanwhile. All state changes run on one thread. Keys are mapped
 * to names (keys that map to none are ignored) and values decoded once per revision.
 *
 * <p>A resync does not list: the cache is the watch's, as Kubernetes' informers resync from theirs. It asks the watch
 * for a progress notification instead (etcd's {@code RequestProgress}, a message on the open stream, not a request);
 * a watch that does not answer within {@link #PROGRESS_DEADLINE} is taken for dead although it never said so (a stream
 * stalled behind a half-open connection), and the informer re-lists. A watch that ended, a compaction and etcd's
 * return after an outage ({@link #relist()}) still re-list at once.
 *
 * @param <T> the decoded value
 */
public final class EtcdInformer<T> implements AutoCloseable, Source<String> {
    private static final Logger log = LoggerFactory.getLogger(EtcdInformer.class);
    /** How long a live watch takes at most to answer a progress request; etcd answers on the stream within ms. */
    static final Duration PROGRESS_DEADLINE = Duration.ofSeconds(3);

    /** How the informer reads its keys: the name of a key (empty to ignore it) and the decoded value. */
    public interface Codec<T> {
        Optional<String> name(String key);

        T decode(String name, StoredValue value);

        /** Decodes with the value held so far for the name (null if none), e.g. to keep it when the new one is bad. */
        default T decode(String name, StoredValue value, T previous) {
            return decode(name, value);
        }

        /** The mod revision of a decoded value, to skip re-decoding an unchanged key on a re-list. */
        long revision(T value);
    }

    private final String label;
    private final String prefix;
    private final EtcdKv kv;
    private final Codec<T> codec;
    private final Topic<String> changes;
    private final RetryPolicy reconnect;
    private final ScheduledExecutorService loop;
    private final Map<String, T> objects = new ConcurrentHashMap<>();
    private final Counter watchRestarts;
    private final Counter compactions;
    private final Counter etcdErrors;
    private final Counter progressRequests;
    private final Counter silentWatches;
    private final Counter progressNotifications;
    private volatile boolean synced;
    private volatile boolean closed;
    private Watch.Watcher watcher;
    private int generation;
    private int failedAttempts;
    /** The pending re-list after a failure (informer thread only), so that there is never more than one. */
    private ScheduledFuture<?> retry;
    /** Progress requests sent, and the last one answered by anything the watch delivered (informer thread only). */
    private long progressAsked;
    private long progressAnswered;

    /**
     * Operators get their informers from {@link Informers}, which keeps one per prefix.
     *
     * @param label what the informer mirrors, in logs and metric tags ("stack", "hosts")
     */
    public EtcdInformer(String label, String prefix, EtcdKv kv, Codec<T> codec, RetryPolicy reconnect,
                        MeterRegistry registry) {
        this.label = label;
        this.prefix = prefix;
        this.kv = kv;
        this.codec = codec;
        this.changes = new Topic<>(label);
        this.reconnect = reconnect;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "informer-" + label);
            t.setDaemon(true);
            return t;
        });
        this.watchRestarts = Counter.builder("berth.etcd.watch.restarts").tag("kind", label)
                .description("etcd watches restarted after an error or end").register(registry);
        this.compactions = Counter.builder("berth.etcd.compactions.seen").tag("kind", label)
                .description("Watches that found their revision compacted and re-listed").register(registry);
        this.etcdErrors = Counter.builder("berth.etcd.list.errors").tag("kind", label)
                .description("Failed etcd list calls of the desired-state cache").register(registry);
        this.progressRequests = Counter.builder("berth.etcd.watch.progress.requests").tag("kind", label)
                .description("Progress notifications asked of the watch at resync (messages on its stream)")
                .register(registry);
        this.silentWatches = Counter.builder("berth.etcd.watch.silent").tag("kind", label)
                .description("Watches that did not answer a progress request in time and were replaced by a re-list")
                .register(registry);
        this.progressNotifications = Counter.builder("berth.etcd.watch.progress.notifications").tag("kind", label)
                .description("Progress notifications the watch delivered").register(registry);
    }

    /** Told the name of every key that changed (created, updated, deleted), on the informer's thread. */
    @Override
    public void addHandler(Consumer<String> handler) {
        changes.addHandler(handler);
    }

    public String prefix() {
        return prefix;
    }

    public void start() {
        onLoop(this::relist);
    }

    /** True once one list succeeded; before that nothing may be deleted on the strength of this cache. */
    public boolean synced() {
        return synced;
    }

    public Optional<T> get(String name) {
        return Optional.ofNullable(objects.get(name));
    }

    public Set<String> names() {
        return Set.copyOf(objects.keySet());
    }

    /** Every value held now. */
    public List<T> values() {
        return List.copyOf(objects.values());
    }

    /**
     * The resync timer: checks that the watch is alive (a progress request it must answer within
     * {@link #PROGRESS_DEADLINE}) and re-lists only if it is not, or if there is no watch (a re-list is pending).
     */
    public void resync() {
        onLoop(this::checkWatch);
    }

    private void checkWatch() {
        if (closed) {
            return;
        }
        if (!synced || watcher == null) {
            relist();
            return;
        }
        if (progressAsked > progressAnswered) {
            return;
        }
        long asked = ++progressAsked;
        int watch = generation;
        progressRequests.increment();
        watcher.requestProgress();
        loop.schedule(() -> checkAnswered(asked, watch), PROGRESS_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkAnswered(long asked, int watch) {
        if (closed || watch != generation || progressAnswered >= asked) {
            return;
        }
        silentWatches.increment();
        log.warn("{}: watch did not answer a progress request within {} ms, re-listing", label,
                PROGRESS_DEADLINE.toMillis());
        relist();
    }

    private void relist() {
        if (closed) {
            return;
        }
        EtcdKv.Listing listing;
        try {
            listing = kv.list(prefix);
        } catch (StoreException e) {
            etcdErrors.increment();
            boolean first = failedAttempts == 0;
            long delay = relistLater();
            if (first) {
                RefusalWarnings.warnUnlessRefused(log, e, "{}: cannot list from etcd, keeping the last good state,"
                        + " retrying in {} ms (further failures at debug level): {}", label, delay, e.getMessage());
            } else {
                // One warning per outage and informer, not one per retry: /readyz and the metrics say it lasts.
                log.debug("{}: still cannot list from etcd, retrying in {} ms: {}", label, delay, e.getMessage());
            }
            return;
        }
        if (failedAttempts > 1) {
            log.info("{}: listed from etcd again after {} failed attempts", label, failedAttempts);
        }
        failedAttempts = 0;
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        Map<String, StoredValue> fresh = new HashMap<>();
        for (StoredValue value : listing.values()) {
            codec.name(value.key()).ifPresent(name -> fresh.put(name, value));
        }
        for (String name : Set.copyOf(objects.keySet())) {
            if (!fresh.containsKey(name)) {
                objects.remove(name);
                notifyChange(name);
            }
        }
        fresh.forEach((name, value) -> {
            T current = objects.get(name);
            if (current == null || codec.revision(current) != value.modRevision()) {
                objects.put(name, codec.decode(name, value, current));
                notifyChange(name);
            }
        });
        boolean first = !synced;
        synced = true;
        if (first) {
            log.info("{}: synced {} objects at revision {}", label, objects.size(), listing.revision());
        }
        watchFrom(listing.revision() + 1);
    }

    /** From now on drops what the current watch delivers, as a watch stalled without an error would. */
    public void stallWatchForTest() {
        onLoop(() -> generation++);
    }

    /** Starts a watch from an older revision, as a watch that was disconnected for a while would resume. */
    public void watchFromForTest(long revision) {
        onLoop(() -> watchFrom(revision));
    }

    private void watchFrom(long revision) {
        closeWatcher();
        int myGeneration = ++generation;
        progressAnswered = progressAsked;
        watcher = kv.watchPrefix(prefix, revision, new Watch.Listener() {
            @Override
            public void onNext(WatchResponse response) {
                onLoop(() -> {
                    if (myGeneration == generation) {
                        progressAnswered = progressAsked;
                        if (response.isProgressNotify()) {
                            progressNotifications.increment();
                        }
                        handle(response);
                    }
                });
            }

            @Override
            public void onError(Throwable error) {
                onLoop(() -> {
                    if (myGeneration == generation) {
                        restart(error);
                    }
                });
            }

            @Override
            public void onCompleted() {
                onLoop(() -> {
                    if (myGeneration == generation) {
                        restart(null);
                    }
                });
            }
        });
    }

    private void handle(WatchResponse response) {
        for (WatchEvent event : response.getEvents()) {
            String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
            Optional<String> parsed = codec.name(key);
            if (parsed.isEmpty()) {
                continue;
            }
            String name = parsed.get();
            if (event.getEventType() == WatchEvent.EventType.DELETE) {
                objects.remove(name);
            } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                StoredValue value = StoredValue.of(event.getKeyValue());
                objects.put(name, codec.decode(name, value, objects.get(name)));
            } else {
                continue;
            }
            notifyChange(name);
        }
    }

    private void restart(Throwable error) {
        if (closed) {
            return;
        }
        closeWatcher();
        watchRestarts.increment();
        if (error instanceof CompactedException) {
            compactions.increment();
            log.warn("{}: watch revision was compacted, re-listing", label);
            relist();
            return;
        }
        RefusalWarnings.warnUnlessRefused(log, error, "{}: watch ended ({}), re-listing in {} ms", label,
                error == null ? "completed" : error.getMessage(), relistLater());
    }

    /**
     * Schedules a re-list after the next backoff unless one is pending, and says in how many ms it runs. One pending
     * re-list at most: a watch's end (often an error and a completion), every failed list and every resync tick would
     * otherwise each start a retry chain of its own, and during a long outage the chains add up.
     */
    private long relistLater() {
        long delay = reconnect.intervals().apply(++failedAttempts);
        if (retry == null) {
            retry = loop.schedule(() -> {
                retry = null;
                relist();
            }, delay, TimeUnit.MILLISECONDS);
            return delay;
        }
        return Math.max(0, retry.getDelay(TimeUnit.MILLISECONDS));
    }

    private void notifyChange(String name) {
        changes.publish(name);
    }

    private void closeWatcher() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    /** Runs a task on the informer's thread; after close, late callbacks (a watch ending) are dropped. */
    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onLoop(this::closeWatcher);
        loop.shutdown();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
