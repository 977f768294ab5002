package dev.berth.operator.events;

import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events in etcd under {@link KeyLayout#eventsOf} + an id that sorts by time ({@code <millis>-<host>-<seq>}). The
 * caller's thread only dedupes, rate-limits and queues; one writer thread of its own puts the JSON, what queued
 * meanwhile in one transaction, so a reconcile never waits for etcd on an event. Every event is written on this
 * operator's current lease (1 h TTL, never kept alive): a new lease is granted every {@link Settings#regrant}, so an event expires about an hour after it was last
 * written and the old leases run out on their own. Over the rate or with the queue full, events are dropped and
 * counted ({@code berth_events_dropped_total{reason}}); a failed write is dropped too, never retried.
 */
public final class EtcdEventRecorder implements EventRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EtcdEventRecorder.class);
    /** Events per transaction, and their characters (keys and JSON; UTF-8 can be up to 3 bytes each). */
    private static final int MAX_BATCH = 64;
    private static final int MAX_BATCH_CHARS = 256 * 1024;

    /** How events are bounded; {@link #defaults()} is what operators run with. */
    public record Settings(Duration ttl, Duration regrant, Duration dedupeWindow, int dedupeCapacity, double perSecond,
                           int burst, int queue) {
        public static Settings defaults() {
            return new Settings(Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofMinutes(10), 4096, 10, 50, 1000);
        }
    }

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final String host;
    private final String source;
    private final Settings settings;
    private final Clock clock;
    private final LongSupplier nanos;
    private final Core core;

    /** What every source of one operator shares: one dedupe memory, one bucket, one queue, one writer, one lease. */
    private static final class Core {
        final EventDedupe dedupe;
        final TokenBucket bucket;
        final BlockingQueue<Write> queue;
        final AtomicLong sequence = new AtomicLong();
        /** One mapper for every write: building one per event was most of a write's cost. */
        final EventCodec codec = new EventCodec();
        final Counter written;
        final Counter droppedRate;
        final Counter droppedQueue;
        final Counter droppedError;
        volatile Thread writer;
        volatile boolean closed;
        long lease;
        Instant leaseGranted;
        boolean failing;

        Core(Settings settings, MeterRegistry registry) {
            dedupe = new EventDedupe(settings.dedupeWindow(), settings.dedupeCapacity());
            bucket = new TokenBucket(settings.perSecond(), settings.burst());
            queue = new ArrayBlockingQueue<>(settings.queue());
            written = Counter.builder("berth.events.written").description("Events this operator wrote to etcd")
                    .register(registry);
            droppedRate = dropped(registry, "rate");
            droppedQueue = dropped(registry, "queue");
            droppedError = dropped(registry, "error");
        }

        private static Counter dropped(MeterRegistry registry, String reason) {
            return Counter.builder("berth.events.dropped").tag("reason", reason)
                    .description("Events not written: over the rate (rate), the writer behind (queue), etcd failed (error)")
                    .register(registry);
        }
    }

    private record Write(String key, Event event) {
    }

    public EtcdEventRecorder(EtcdKv kv, KeyLayout keys, String host, Settings settings, MeterRegistry registry,
                             Clock clock) {
        this(kv, keys, host, "operator", settings, clock, System::nanoTime, new Core(settings, registry));
    }

    private EtcdEventRecorder(EtcdKv kv, KeyLayout keys, String host, String source, Settings settings, Clock clock,
                              LongSupplier nanos, Core core) {
        this.kv = kv;
        this.keys = keys;
        this.host = host;
        this.source = source;
        this.settings = settings;
        this.clock = clock;
        this.nanos = nanos;
        this.core = core;
    }

    /** The same recorder (queue, lease, limits) naming another part of the operator as the events' source. */
    public EtcdEventRecorder source(String name) {
        return new EtcdEventRecorder(kv, keys, host, name, settings, clock, nanos, core);
    }

    /** Starts the writer thread (events recorded before are queued). */
    public void start() {
        synchronized (core) {
            if (core.writer != null) {
                return;
            }
            Thread t = new Thread(this::writeLoop, "events");
            t.setDaemon(true);
            core.writer = t;
            t.start();
        }
    }

    @Override
    public void record(String kind, String name, String type, String reason, String message) {
        try {
            if (core.closed) {
                return;
            }
            Write write;
            synchronized (core) {
                Instant now = clock.instant();
                EventDedupe.Slot slot = core.dedupe.next(kind, name, type, reason, message, now, () -> newId(now));
                if (!core.bucket.tryTake(nanos.getAsLong())) {
                    core.droppedRate.increment();
                    return;
                }
                write = new Write(keys.eventsOf(kind, name) + slot.id(), new Event(kind, name, host, type, reason,
                        message, slot.count(), slot.first().toString(), now.toString(), source));
            }
            if (!core.queue.offer(write)) {
                core.droppedQueue.increment();
            }
        } catch (RuntimeException e) {
            // An event is information: whatever went wrong here must not reach the work it describes.
            log.debug("event {}/{} {} not recorded: {}", kind, name, reason, e.toString());
        }
    }

    /** Time-sortable and unique across hosts: zero-padded millis, the host, a sequence of this process. */
    private String newId(Instant now) {
        return String.format("%013d-%s-%06d", now.toEpochMilli(), host, core.sequence.incrementAndGet() % 1_000_000);
    }

    private void writeLoop() {
        while (!core.closed || !core.queue.isEmpty()) {
            Write first;
            try {
                first = core.queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first != null) {
                List<Write> batch = new ArrayList<>();
                batch.add(first);
                core.queue.drainTo(batch, MAX_BATCH - 1);
                put(batch);
            }
        }
    }

    /**
     * What queued while the last write was out goes as one transaction: a stack that converges says three or four
     * things at once, and a hundred stacks were several hundred puts, each a round trip and a disk write in etcd
     * (issue 21: the operator's CPU while stacks converge). Kept well under etcd's 128 operations and 1.5 MiB.
     */
    private void put(List<Write> batch) {
        // A repeat counted up keeps its event's key, and etcd refuses a transaction that puts one key twice: the
        // last count of each key is the one to write.
        Map<String, Write> latest = new LinkedHashMap<>();
        batch.forEach(w -> latest.put(w.key(), w));
        int skipped = batch.size() - latest.size();
        List<EtcdKv.Write> writes = new ArrayList<>();
        Write last = null;
        int chars = 0;
        for (Write w : latest.values()) {
            String json = core.codec.write(w.event());
            if (!writes.isEmpty() && chars + json.length() + w.key().length() > MAX_BATCH_CHARS) {
                commit(writes, last, 0);
                writes = new ArrayList<>();
                chars = 0;
            }
            writes.add(new EtcdKv.Write(w.key(), json));
            chars += json.length() + w.key().length();
            last = w;
        }
        commit(writes, last, skipped);
    }

    /** @param superseded repeats of these events' keys that were queued too (written as the later count) */
    private void commit(List<EtcdKv.Write> writes, Write named, int superseded) {
        try {
            if (writes.size() == 1) {
                kv.put(writes.get(0).key(), writes.get(0).value(), lease());
            } else {
                kv.putAll(writes, lease());
            }
            core.written.increment(writes.size() + superseded);
            if (core.failing) {
                core.failing = false;
                log.info("events: writing to etcd again");
            }
        } catch (RuntimeException e) { // StoreException, or a lease grant refused
            // The lease may be gone (etcd restored, revoked by hand): the next write asks for a new one.
            core.lease = 0;
            core.droppedError.increment(writes.size() + superseded);
            if (!core.failing) {
                core.failing = true;
                log.warn("events: {} event(s) up to {} {} for {} not written (dropping events until etcd takes them): {}",
                        writes.size(), named.event().type(), named.event().reason(), named.event().object(),
                        e.getMessage());
            }
        }
    }

    /** The lease new events go on: granted again every {@code regrant}, so none lives much past its TTL. */
    private long lease() {
        Instant now = clock.instant();
        if (core.lease == 0 || now.isAfter(core.leaseGranted.plus(settings.regrant()))) {
            core.lease = kv.await(kv.client().getLeaseClient().grant(settings.ttl().toSeconds()), "grant event lease")
                    .getID();
            core.leaseGranted = now;
        }
        return core.lease;
    }

    /** Writes what is queued (for up to two seconds), then stops; leases are left to expire. */
    @Override
    public void close() {
        core.closed = true;
        Thread writer = core.writer;
        if (writer != null) {
            try {
                writer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writer.interrupt();
        }
    }
}
