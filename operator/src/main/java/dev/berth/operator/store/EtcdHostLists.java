package dev.berth.operator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Lists that each host publishes about a group (a Network's endpoints, a stack's backends): one JSON key per
 * group and host, {@code <prefix><group>/<host>}, written only by that host. An entry that does not decode
 * (another version's, or hand-written) is skipped by readers: that host's list counts as unknown, not empty.
 */
public final class EtcdHostLists<T> {
    private final EtcdKv kv;
    private final String prefix;
    private final TypeReference<List<T>> type;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public EtcdHostLists(EtcdKv kv, String prefix, TypeReference<List<T>> type) {
        this.kv = kv;
        this.prefix = prefix;
        this.type = type;
    }

    private String key(String group, String host) {
        return prefix + group + "/" + host;
    }

    /** Writes the host's list; with {@code onlyIfChanged} it reads first and writes only a different value. */
    public void put(String group, String host, List<T> values, boolean onlyIfChanged) {
        String value;
        try {
            value = json.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (onlyIfChanged) {
            Optional<StoredValue> current = kv.get(key(group, host));
            if (current.isPresent() && current.get().value().equals(value)) {
                return;
            }
        }
        kv.put(key(group, host), value);
    }

    public void delete(String group, String host) {
        kv.delete(key(group, host));
    }

    /** Every host's decodable list for the group, by host. */
    public Map<String, List<T>> byHost(String group) {
        Map<String, List<T>> all = new TreeMap<>();
        String groupPrefix = prefix + group + "/";
        for (StoredValue v : kv.list(groupPrefix).values()) {
            decode(v).ifPresent(list -> all.put(v.key().substring(groupPrefix.length()), list));
        }
        return all;
    }

    /** Every group the host has an entry for, by group; an entry that does not decode is an empty list. */
    public Map<String, List<T>> byGroup(String host) {
        return byGroup(host, kv.list(prefix).values());
    }

    /** {@link #byGroup(String)} from values already read (an informer's mirror of the prefix): no etcd request. */
    public Map<String, List<T>> byGroup(String host, java.util.Collection<StoredValue> values) {
        Map<String, List<T>> published = new TreeMap<>();
        for (StoredValue v : values) {
            if (!v.key().startsWith(prefix)) {
                continue;
            }
            String rest = v.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.substring(slash + 1).equals(host)) {
                published.put(rest.substring(0, slash), decode(v).orElse(List.of()));
            }
        }
        return published;
    }

    private Optional<List<T>> decode(StoredValue v) {
        try {
            return Optional.of(json.readValue(v.value(), type));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
