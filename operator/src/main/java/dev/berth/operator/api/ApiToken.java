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

/**
 * The cluster's API token: 32 random bytes, base64url, at {@link KeyLayout#apiToken()}. Whoever can read Berth's
 * etcd prefix can read it, and so call every operator's API; nobody else can. The first operator (or CLI) that
 * needs it writes it, put-if-absent in a transaction, so every host serves the same one.
 *
 * <p>An operator keeps the token it read and reads it again when a request presents another one (at most every
 * {@link #REREAD}), and before accepting the kept one once it is older than {@link #MAX_AGE}: rotation (delete the
 * key) reaches every operator within seconds without a restart, and an old token stops working within a minute.
 */
public final class ApiToken {
    static final Duration REREAD = Duration.ofSeconds(3);
    static final Duration MAX_AGE = Duration.ofSeconds(30);
    private static final int ATTEMPTS = 3;

    private final EtcdKv kv;
    private final String key;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private byte[] current;
    private Instant readAt = Instant.EPOCH;

    public ApiToken(EtcdKv kv, KeyLayout keys, Clock clock) {
        this.kv = kv;
        this.key = keys.apiToken();
        this.clock = clock;
    }

    /** The token in etcd, written first when there is none. Throws {@link StoreException} when etcd does not answer. */
    public synchronized String load() {
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

    private String keep(String token) {
        current = token.getBytes(StandardCharsets.UTF_8);
        readAt = clock.instant();
        return token;
    }

    /** Whether {@code presented} is the cluster's token, compared in constant time. */
    public synchronized boolean accepts(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
        Instant now = clock.instant();
        boolean matches = current != null && MessageDigest.isEqual(current, bytes);
        boolean stale = current == null || now.isAfter(readAt.plus(MAX_AGE));
        boolean mayReread = current == null || !now.isBefore(readAt.plus(REREAD));
        if ((matches && stale) || (!matches && mayReread)) {
            try {
                load();
            } catch (StoreException e) {
                // etcd away: what was read last still decides (and nothing when nothing was read).
                readAt = now;
            }
            matches = current != null && MessageDigest.isEqual(current, bytes);
        }
        return matches;
    }
}
