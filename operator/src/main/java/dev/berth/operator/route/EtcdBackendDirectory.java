package dev.berth.operator.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.route.BackendDirectory;
import dev.berth.reconcilers.route.PublishedContainer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Backends in etcd: {@code <root>/v1/backends/<stack>/<host>} holds that host's containers of the stack as JSON. */
public final class EtcdBackendDirectory implements BackendDirectory {
    private static final TypeReference<List<PublishedContainer>> LIST = new TypeReference<>() {
    };

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public EtcdBackendDirectory(EtcdKv kv, KeyLayout keys) {
        this.kv = kv;
        this.keys = keys;
    }

    public static String prefix(KeyLayout keys) {
        return keys.base() + "backends/";
    }

    private String key(String stack, String host) {
        return prefix(keys) + stack + "/" + host;
    }

    @Override
    public void publish(String stack, String host, List<PublishedContainer> containers) {
        if (containers.isEmpty()) {
            kv.delete(key(stack, host));
            return;
        }
        try {
            kv.put(key(stack, host), json.writeValueAsString(containers));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, List<PublishedContainer>> all(String stack) {
        Map<String, List<PublishedContainer>> all = new TreeMap<>();
        String prefix = prefix(keys) + stack + "/";
        for (StoredValue v : kv.list(prefix).values()) {
            try {
                all.put(v.key().substring(prefix.length()), json.readValue(v.value(), LIST));
            } catch (JsonProcessingException e) {
                // Another version's entry: that host's backends are skipped until it publishes again.
            }
        }
        return all;
    }

    @Override
    public Map<String, List<PublishedContainer>> publishedBy(String host) {
        Map<String, List<PublishedContainer>> published = new TreeMap<>();
        String prefix = prefix(keys);
        for (StoredValue v : kv.list(prefix).values()) {
            String rest = v.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.substring(slash + 1).equals(host)) {
                try {
                    published.put(rest.substring(0, slash), json.readValue(v.value(), LIST));
                } catch (JsonProcessingException e) {
                    // Another version's entry: an empty list differs from what runs, so it is written again.
                    published.put(rest.substring(0, slash), List.of());
                }
            }
        }
        return published;
    }
}
