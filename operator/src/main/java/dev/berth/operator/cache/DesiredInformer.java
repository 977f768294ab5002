package dev.berth.operator.cache;

import dev.berth.crds.KindDef;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.ObjectKey;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desired objects of one kind, mirrored from etcd: list, then watch from the listed revision + 1. On a
 * compacted revision it re-lists and diffs (a key gone from the list is a delete); on any other watch end it
 * reconnects with backoff and keeps the last good state meanwhile. All state changes run on one thread.
 */
public final class DesiredInformer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DesiredInformer.class);

    private final KindDef kind;
    private final EtcdKv kv;
    private final ResourceStore store;
    private final Consumer<ObjectKey> onChange;
    private final RetryPolicy reconnect;
    private final ScheduledExecutorService loop;
    private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
    private final Counter watchRestarts;
    private final Counter compactions;
    private final Counter etcdErrors;
    private volatile boolean synced;
    private volatile boolean closed;
    private Watch.Watcher watcher;
    private int generation;
    private int failedAttempts;

    public DesiredInformer(KindDef kind, EtcdKv kv, ResourceStore store, Consumer<ObjectKey> onChange,
                           RetryPolicy reconnect, MeterRegistry registry) {
        this.kind = kind;
        this.kv = kv;
        this.store = store;
        this.onChange = onChange;
        this.reconnect = reconnect;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "informer-" + kind.singular());
            t.setDaemon(true);
            return t;
        });
        this.watchRestarts = Counter.builder("berth.etcd.watch.restarts").tag("kind", kind.singular())
                .description("etcd watches restarted after an error or end").register(registry);
        this.compactions = Counter.builder("berth.etcd.compactions.seen").tag("kind", kind.singular())
                .description("Watches that found their revision compacted and re-listed").register(registry);
        this.etcdErrors = Counter.builder("berth.etcd.list.errors").tag("kind", kind.singular())
                .description("Failed etcd list calls of the desired-state cache").register(registry);
    }

    public void start() {
        loop.execute(this::relist);
    }

    /** True once one list succeeded; before that nothing may be deleted on the strength of this cache. */
    public boolean synced() {
        return synced;
    }

    public Optional<StoredObject> get(String name) {
        return Optional.ofNullable(objects.get(name));
    }

    public Set<String> names() {
        return Set.copyOf(objects.keySet());
    }

    /** Re-lists from etcd now (the resync timer calls this; a failure keeps the last good state). */
    public void resync() {
        loop.execute(this::relist);
    }

    private void relist() {
        if (closed) {
            return;
        }
        EtcdKv.Listing listing;
        try {
            listing = kv.list(store.keys().kindPrefix(kind.singular()));
        } catch (StoreException e) {
            etcdErrors.increment();
            long delay = reconnect.intervals().apply(++failedAttempts);
            log.warn("desired {}: cannot list from etcd, keeping the last good state, retrying in {} ms: {}",
                    kind.plural(), delay, e.getMessage());
            loop.schedule(this::relist, delay, TimeUnit.MILLISECONDS);
            return;
        }
        failedAttempts = 0;
        Map<String, StoredValue> fresh = new HashMap<>();
        for (StoredValue value : listing.values()) {
            store.keys().parseDesired(value.key()).ifPresent(k -> fresh.put(k.name(), value));
        }
        for (String name : Set.copyOf(objects.keySet())) {
            if (!fresh.containsKey(name)) {
                objects.remove(name);
                notifyChange(name);
            }
        }
        fresh.forEach((name, value) -> {
            StoredObject current = objects.get(name);
            if (current == null || current.raw().modRevision() != value.modRevision()) {
                objects.put(name, store.toObject(kind, name, value));
                notifyChange(name);
            }
        });
        boolean first = !synced;
        synced = true;
        if (first) {
            log.info("desired {}: synced {} objects at revision {}", kind.plural(), objects.size(), listing.revision());
        }
        watchFrom(listing.revision() + 1);
    }

    /** Starts a watch from an older revision, as a watch that was disconnected for a while would resume. */
    public void watchFromForTest(long revision) {
        loop.execute(() -> watchFrom(revision));
    }

    private void watchFrom(long revision) {
        closeWatcher();
        int myGeneration = ++generation;
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision).build();
        ByteSequence prefix = ByteSequence.from(store.keys().kindPrefix(kind.singular()), StandardCharsets.UTF_8);
        watcher = kv.client().getWatchClient().watch(prefix, option, new Watch.Listener() {
            @Override
            public void onNext(WatchResponse response) {
                loop.execute(() -> {
                    if (myGeneration == generation) {
                        handle(response);
                    }
                });
            }

            @Override
            public void onError(Throwable error) {
                loop.execute(() -> {
                    if (myGeneration == generation) {
                        restart(error);
                    }
                });
            }

            @Override
            public void onCompleted() {
                loop.execute(() -> {
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
            Optional<ObjectKey> parsed = store.keys().parseDesired(key);
            if (parsed.isEmpty()) {
                continue;
            }
            String name = parsed.get().name();
            if (event.getEventType() == WatchEvent.EventType.DELETE) {
                objects.remove(name);
            } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                StoredValue value = new StoredValue(key, event.getKeyValue().getValue().toString(StandardCharsets.UTF_8),
                        event.getKeyValue().getModRevision(), event.getKeyValue().getCreateRevision());
                objects.put(name, store.toObject(kind, name, value));
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
            log.warn("desired {}: watch revision was compacted, re-listing", kind.plural());
            relist();
            return;
        }
        long delay = reconnect.intervals().apply(++failedAttempts);
        log.warn("desired {}: watch ended ({}), re-listing in {} ms", kind.plural(),
                error == null ? "completed" : error.getMessage(), delay);
        loop.schedule(this::relist, delay, TimeUnit.MILLISECONDS);
    }

    private void notifyChange(String name) {
        try {
            onChange.accept(new ObjectKey(kind.singular(), name));
        } catch (RuntimeException e) {
            log.error("desired {}/{}: change listener failed", kind.singular(), name, e);
        }
    }

    private void closeWatcher() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.execute(this::closeWatcher);
        loop.shutdown();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
