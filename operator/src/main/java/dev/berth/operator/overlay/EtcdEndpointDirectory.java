package dev.berth.operator.overlay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.overlay.Endpoint;
import dev.berth.reconcilers.overlay.EndpointDirectory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Unicast endpoints in etcd: {@code <root>/v1/endpoints/<network>/<host>} holds that host's list as JSON. */
public final class EtcdEndpointDirectory implements EndpointDirectory {
    private static final TypeReference<List<Endpoint>> LIST = new TypeReference<>() {
    };

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final ObjectMapper json = new ObjectMapper();

    public EtcdEndpointDirectory(EtcdKv kv, KeyLayout keys) {
        this.kv = kv;
        this.keys = keys;
    }

    public static String prefix(KeyLayout keys) {
        return keys.base() + "endpoints/";
    }

    private String key(String network, String host) {
        return prefix(keys) + network + "/" + host;
    }

    @Override
    public void publish(String network, String host, List<Endpoint> endpoints) {
        String value;
        try {
            value = json.writeValueAsString(endpoints);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Write only on change: peers watch these keys.
        Optional<StoredValue> current = kv.get(key(network, host));
        if (current.isEmpty() || !current.get().value().equals(value)) {
            kv.put(key(network, host), value);
        }
    }

    @Override
    public Map<String, List<Endpoint>> all(String network) {
        Map<String, List<Endpoint>> all = new TreeMap<>();
        String prefix = prefix(keys) + network + "/";
        for (StoredValue v : kv.list(prefix).values()) {
            try {
                all.put(v.key().substring(prefix.length()), json.readValue(v.value(), LIST));
            } catch (JsonProcessingException e) {
                // Another version's or a hand-written entry: that host's endpoints are skipped, flooding still works.
            }
        }
        return all;
    }

    @Override
    public void withdraw(String network, String host) {
        if (kv.get(key(network, host)).isPresent()) {
            kv.delete(key(network, host));
        }
    }
}
