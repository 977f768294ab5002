package dev.berth.operator.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Writes one Route's Traefik keys in ONE etcd transaction, together with the record of what Berth wrote
 * ({@code <root>/v1/written/route/<name>}: the keys and values). The record is how Berth knows its own keys:
 * an update deletes exactly the recorded keys it no longer wants, a Route's deletion deletes exactly the recorded
 * keys, and a key Berth wants that exists but is not recorded is someone else's — the write is refused (conflict),
 * never overwritten. Every transaction is guarded by the record's revision, so two writers cannot interleave.
 */
public final class TraefikKvWriter {
    private final EtcdKv kv;
    private final KeyLayout keys;
    private final Consumer<RouteMetrics.KvWrite> outcomes;
    private final ObjectMapper json = new ObjectMapper();

    /** What Berth wrote for one route: Traefik's root key and every key with its value. */
    public record Written(String root, SortedMap<String, String> keys) {
        public Written {
            keys = keys == null ? new TreeMap<>() : new TreeMap<>(keys);
        }
    }

    /** How a sync ended: {@code changed} when a transaction ran; {@code conflict} names a foreign key. */
    public record Outcome(boolean changed, Optional<String> conflict) {
    }

    /** A writer that counts nothing (tests reading the records). */
    public TraefikKvWriter(EtcdKv kv, KeyLayout keys) {
        this(kv, keys, outcome -> { });
    }

    /** @param outcomes hears how each transaction on Traefik's keys ended (not the syncs that had nothing to write) */
    public TraefikKvWriter(EtcdKv kv, KeyLayout keys, Consumer<RouteMetrics.KvWrite> outcomes) {
        this.kv = kv;
        this.keys = keys;
        this.outcomes = outcomes;
    }

    public static String recordPrefix(KeyLayout keys) {
        return keys.base() + "written/route/";
    }

    public String record(String route) {
        return recordPrefix(keys) + route;
    }

    public Optional<Written> written(String route) {
        return kv.get(record(route)).map(this::decode);
    }

    /** The routes Berth holds written keys for. */
    public List<String> writtenRoutes() {
        List<String> names = new ArrayList<>();
        kv.list(recordPrefix(keys)).values().forEach(v -> names.add(v.key().substring(recordPrefix(keys).length())));
        return names;
    }

    /** Makes etcd hold exactly {@code desired} for this route (and no other key Berth wrote for it). */
    public Outcome sync(String route, String root, SortedMap<String, String> desired) {
        Optional<StoredValue> recordValue = kv.get(record(route));
        Written before = recordValue.map(this::decode).orElse(new Written(root, new TreeMap<>()));
        Map<String, String> current = current(before.keys().keySet(), desired.keySet(), root);
        boolean same = before.keys().equals(desired) && desired.entrySet().stream()
                .allMatch(e -> e.getValue().equals(current.get(e.getKey())));
        if (same) {
            return new Outcome(false, Optional.empty());
        }
        List<EtcdKv.Guard> guards = new ArrayList<>();
        guards.add(new EtcdKv.Guard(record(route), recordValue.map(StoredValue::modRevision).orElse(0L)));
        for (String key : desired.keySet()) {
            if (!before.keys().containsKey(key)) {
                if (current.containsKey(key)) {
                    outcomes.accept(RouteMetrics.KvWrite.CONFLICT);
                    return new Outcome(false, Optional.of(key));
                }
                guards.add(new EtcdKv.Guard(key, 0));
            }
        }
        List<EtcdKv.Write> writes = new ArrayList<>();
        before.keys().keySet().stream().filter(k -> !desired.containsKey(k)).forEach(k -> writes.add(new EtcdKv.Write(k, null)));
        desired.forEach((k, v) -> {
            if (!v.equals(current.get(k))) {
                writes.add(new EtcdKv.Write(k, v));
            }
        });
        writes.add(new EtcdKv.Write(record(route), encode(new Written(root, desired))));
        commit(guards, writes, "route " + route + ": its keys or record changed meanwhile; will look again");
        return new Outcome(true, Optional.empty());
    }

    /** Deletes exactly the keys Berth recorded for this route, and the record, in one transaction. */
    public boolean remove(String route) {
        Optional<StoredValue> recordValue = kv.get(record(route));
        if (recordValue.isEmpty()) {
            return false;
        }
        List<EtcdKv.Write> writes = new ArrayList<>();
        decode(recordValue.get()).keys().keySet().forEach(k -> writes.add(new EtcdKv.Write(k, null)));
        writes.add(new EtcdKv.Write(record(route), null));
        commit(List.of(new EtcdKv.Guard(record(route), recordValue.get().modRevision())), writes,
                "route " + route + ": its record changed meanwhile; will look again");
        return true;
    }

    /** One transaction, counted: a guard that no longer holds and an etcd error are both failed writes. */
    private void commit(List<EtcdKv.Guard> guards, List<EtcdKv.Write> writes, String lostGuard) {
        boolean committed;
        try {
            committed = kv.commit(guards, writes);
        } catch (RuntimeException e) {
            outcomes.accept(RouteMetrics.KvWrite.ERROR);
            throw e;
        }
        outcomes.accept(committed ? RouteMetrics.KvWrite.SUCCESS : RouteMetrics.KvWrite.ERROR);
        if (!committed) {
            throw new IllegalStateException(lostGuard);
        }
    }

    /** Current values of the keys concerned, read with one prefix list per Traefik section. */
    private Map<String, String> current(java.util.Set<String> a, java.util.Set<String> b, String root) {
        java.util.Set<String> wanted = new java.util.HashSet<>(a);
        wanted.addAll(b);
        java.util.Set<String> prefixes = new java.util.TreeSet<>();
        for (String key : wanted) {
            // <root>/http/<section>/<name>/ : one list per object
            String[] parts = key.split("/", 5);
            prefixes.add(parts.length >= 4 ? String.join("/", parts[0], parts[1], parts[2], parts[3]) + "/" : key);
        }
        Map<String, String> values = new HashMap<>();
        for (String prefix : prefixes) {
            for (StoredValue v : kv.list(prefix).values()) {
                if (wanted.contains(v.key())) {
                    values.put(v.key(), v.value());
                }
            }
        }
        return values;
    }

    private Written decode(StoredValue value) {
        try {
            return json.readValue(value.value(), Written.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable record " + value.key() + ": " + e.getOriginalMessage(), e);
        }
    }

    private String encode(Written written) {
        try {
            return json.writeValueAsString(written);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
