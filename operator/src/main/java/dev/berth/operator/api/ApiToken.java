package dev.berth.operator.api;

import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The cluster's API token: 32 random bytes, base64url, at {@link KeyLayout#apiToken()}. Whoever can read Berth's
 * etcd prefix can read it, and so call every operator's API; nobody else can. The first operator (or CLI) that
 * needs it writes it, put-if-absent in a transaction, so every host serves the same one.
 *
 * <p>An operator keeps the token it read. Requests never wait for etcd: a request that presents another token, or
 * the kept one once it is older than {@link #MAX_AGE}, starts a read in the background (one at a time, at most one
 * every {@link #REREAD}, also while no token was read yet) and is answered with what is kept now. Once
 * {@link #start started}, it also reads every {@link #PERIOD}, so a rotated token stops working within that period
 * on an idle operator too (not only after a request came). The old token is accepted until a read succeeds (while
 * etcd does not answer, the old token keeps working), then refused. Throttling uses {@link System#nanoTime}: a wall
 * clock that jumps must not stop or flood the reads.
 */
public final class ApiToken implements AutoCloseable {
    static final Duration REREAD = Duration.ofSeconds(3);
    static final Duration MAX_AGE = Duration.ofSeconds(30);
    /** How often a started operator reads the token again, request or not: what "within 30 s" of rotation means. */
    static final Duration PERIOD = Duration.ofSeconds(30);
    private static final int ATTEMPTS = 3;

    private final EtcdKv kv;
    private final String key;
    private final LongSupplier nanos;
    private final Executor refresher;
    private final Duration period;
    private final SecureRandom random = new SecureRandom();
    private byte[] current;
    private long readAt;
    private long refreshStarted;
    private boolean everStarted;
    private boolean refreshing;
    private ScheduledFuture<?> periodic;
    private boolean closed;

    /** Reads in the background on a short-lived daemon thread of their own (at most one every {@link #REREAD}). */
    public ApiToken(EtcdKv kv, KeyLayout keys) {
        this(kv, keys, System::nanoTime, task -> {
            Thread t = new Thread(task, "api-token-read");
            t.setDaemon(true);
            t.start();
        }, PERIOD);
    }

    /** For tests: any time source, where reads run, and how often a started token reads again. */
    ApiToken(EtcdKv kv, KeyLayout keys, LongSupplier nanos, Executor refresher, Duration period) {
        this.kv = kv;
        this.key = keys.apiToken();
        this.nanos = nanos;
        this.refresher = refresher;
        this.period = period;
    }

    /**
     * Reads the token every period from now on, on {@code timer} (which only hands the read to the refresher, so it
     * never waits for etcd), until {@link #close()}.
     */
    public synchronized void start(ScheduledExecutorService timer) {
        if (closed || periodic != null) {
            return;
        }
        long every = period.toNanos();
        periodic = timer.scheduleWithFixedDelay(() -> refresh(nanos.getAsLong(), true), every, every,
                TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (periodic != null) {
            periodic.cancel(false);
        }
    }

    /** The token in etcd, written first when there is none. Throws {@link StoreException} when etcd does not answer. */
    public String load() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<String> stored = kv.get(key).map(v -> v.value().trim()).filter(v -> !v.isEmpty());
            if (stored.isPresent()) {
                return keep(stored.get());
            }
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (kv.commit(List.of(new EtcdKv.Guard(key, 0)), List.of(new EtcdKv.Write(key, fresh)))) {
                return keep(fresh);
            }
            // Another operator wrote it first: read theirs.
        }
        throw new StoreException("the API token at " + key + " keeps changing; try again", null);
    }

    private synchronized String keep(String token) {
        current = token.getBytes(StandardCharsets.UTF_8);
        readAt = nanos.getAsLong();
        return token;
    }

    /** Whether {@code presented} is the cluster's token, compared in constant time; never waits for etcd. */
    public boolean accepts(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
        long now = nanos.getAsLong();
        byte[] kept;
        long keptAt;
        synchronized (this) {
            kept = current;
            keptAt = readAt;
        }
        boolean matches = kept != null && MessageDigest.isEqual(kept, bytes);
        boolean stale = kept == null || now - keptAt > MAX_AGE.toNanos();
        if (!matches || stale) {
            refresh(now, false);
        }
        return matches;
    }

    /**
     * One read at a time, at most one every REREAD for requests ({@code scheduled} reads are spaced by the period);
     * a failed read leaves what was kept.
     */
    private void refresh(long now, boolean scheduled) {
        synchronized (this) {
            if (refreshing || (!scheduled && everStarted && now - refreshStarted < REREAD.toNanos())) {
                return;
            }
            refreshing = true;
            everStarted = true;
            refreshStarted = now;
        }
        try {
            refresher.execute(() -> {
                try {
                    load();
                } catch (RuntimeException e) {
                    // etcd away: what was read last still decides; the next request or period tries again.
                } finally {
                    synchronized (this) {
                        refreshing = false;
                    }
                }
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                refreshing = false;
            }
        }
    }
}
