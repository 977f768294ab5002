package dev.berth.operator.api;

import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The cluster's API token: 32 random bytes, base64url, at {@link KeyLayout#apiToken()}. Whoever can read Berth's
 * etcd prefix can read it, and so call every operator's API; nobody else can. The first operator (or CLI) that
 * needs it writes it, put-if-absent in a transaction, so every host serves the same one.
 *
 * <p>An operator keeps the token it read. Requests never wait for etcd: a request that presents another token, or
 * the kept one once it is older than {@link #MAX_AGE}, starts a read in the background (one at a time, at most one
 * every {@link #REREAD}, also while no token was read yet) and is answered with what is kept now. So rotation (delete
 * the key) reaches every operator within seconds without a restart: the request with the new token that starts the
 * read is refused, those after the read succeeded are accepted; the old token is accepted until a read succeeds
 * (while etcd does not answer, the old token keeps working), then refused.
 */
public final class ApiToken {
    static final Duration REREAD = Duration.ofSeconds(3);
    static final Duration MAX_AGE = Duration.ofSeconds(30);
    private static final int ATTEMPTS = 3;

    private final EtcdKv kv;
    private final String key;
    private final Clock clock;
    private final Executor refresher;
    private final SecureRandom random = new SecureRandom();
    private byte[] current;
    private Instant readAt = Instant.EPOCH;
    private Instant refreshStarted = Instant.EPOCH;
    private boolean refreshing;

    /** Reads in the background on a short-lived daemon thread of their own (at most one every {@link #REREAD}). */
    public ApiToken(EtcdKv kv, KeyLayout keys, Clock clock) {
        this(kv, keys, clock, task -> {
            Thread t = new Thread(task, "api-token-read");
            t.setDaemon(true);
            t.start();
        });
    }

    ApiToken(EtcdKv kv, KeyLayout keys, Clock clock, Executor refresher) {
        this.kv = kv;
        this.key = keys.apiToken();
        this.clock = clock;
        this.refresher = refresher;
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
        readAt = clock.instant();
        return token;
    }

    /** Whether {@code presented} is the cluster's token, compared in constant time; never waits for etcd. */
    public boolean accepts(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
        Instant now = clock.instant();
        byte[] kept;
        Instant keptAt;
        synchronized (this) {
            kept = current;
            keptAt = readAt;
        }
        boolean matches = kept != null && MessageDigest.isEqual(kept, bytes);
        boolean stale = kept == null || now.isAfter(keptAt.plus(MAX_AGE));
        if (!matches || stale) {
            refresh(now);
        }
        return matches;
    }

    /** One read at a time, at most one every REREAD; a failed read leaves what was kept. */
    private void refresh(Instant now) {
        synchronized (this) {
            if (refreshing || now.isBefore(refreshStarted.plus(REREAD))) {
                return;
            }
            refreshing = true;
            refreshStarted = now;
        }
        try {
            refresher.execute(() -> {
                try {
                    load();
                } catch (RuntimeException e) {
                    // etcd away: what was read last still decides; the next request after REREAD tries again.
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
