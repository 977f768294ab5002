package dev.berth.operator.control;

import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.store.StatusCodec;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes this host's status of an object to {@code <root>/v1/status/<kind>/<name>/<host>}, only when the JSON
 * differs from what was last written (read back from etcd the first time, so a restart writes nothing new).
 */
public final class StatusWriter {
    private final EtcdKv kv;
    private final KeyLayout keys;
    private final String host;
    private final StatusCodec codec = new StatusCodec();
    private final Map<ObjectKey, String> written = new ConcurrentHashMap<>();
    private final java.util.Set<ObjectKey> swept = ConcurrentHashMap.newKeySet();
    private final Listener listener;

    /** Told every status a controller wants written (changed or not), and null when it is deleted (metrics). */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (key, status) -> { };

        void status(ObjectKey key, ObjectStatus status);
    }

    public StatusWriter(EtcdKv kv, KeyLayout keys, String host) {
        this(kv, keys, host, Listener.NONE);
    }

    public StatusWriter(EtcdKv kv, KeyLayout keys, String host, Listener listener) {
        this.kv = kv;
        this.keys = keys;
        this.host = host;
        this.listener = java.util.Objects.requireNonNull(listener);
    }

    public Optional<ObjectStatus> last(ObjectKey key) {
        String json = lastJson(key);
        return json.isEmpty() ? Optional.empty() : codec.read(json);
    }

    /** What this host's status key holds ("" for nothing), read from etcd the first time. */
    private String lastJson(ObjectKey key) {
        return written.computeIfAbsent(key, k ->
                kv.get(keys.status(k.kind(), k.name(), host)).map(v -> v.value()).orElse(""));
    }

    /** Returns true when something was written. */
    public boolean write(ObjectKey key, ObjectStatus status) {
        listener.status(key, status);
        last(key);
        String json = codec.write(status);
        if (json.equals(written.get(key))) {
            return false;
        }
        kv.put(keys.status(key.kind(), key.name(), host), json);
        written.put(key, json);
        return true;
    }

    /**
     * Like {@link #write}, for objects with one writer cluster-wide (the elected leader): the first time this
     * writer writes a key it also removes the rows other hosts left, e.g. a former leader's after a failover.
     */
    public boolean writeAsSoleWriter(ObjectKey key, ObjectStatus status) {
        boolean changed = write(key, status);
        if (swept.add(key)) {
            String own = keys.status(key.kind(), key.name(), host);
            for (var row : kv.list(keys.statusPrefix(key.kind(), key.name())).values()) {
                if (!row.key().equals(own)) {
                    kv.delete(row.key());
                }
            }
        }
        return changed;
    }

    /** For objects with one writer cluster-wide: the object is gone, so is every host's row of its status. */
    public void deleteEveryHost(ObjectKey key) {
        listener.status(key, null);
        kv.deletePrefix(keys.statusPrefix(key.kind(), key.name()));
        written.put(key, "");
        swept.remove(key);
    }

    /**
     * Removes this host's status of the object if it has one. A key this writer never saw is read first: a delete is
     * a write etcd must commit to disk, a read is not, and most such keys hold nothing (every stack another host
     * runs is deleted here once, on its first pass).
     */
    public void delete(ObjectKey key) {
        swept.remove(key);
        listener.status(key, null);
        if (!lastJson(key).isEmpty()) {
            kv.delete(keys.status(key.kind(), key.name(), host));
            written.put(key, "");
        }
    }
}
