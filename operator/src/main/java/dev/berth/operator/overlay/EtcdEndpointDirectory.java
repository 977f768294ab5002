package dev.berth.operator.overlay;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.operator.store.EtcdHostLists;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.overlay.EndpointDirectory;
import java.util.List;
import java.util.Map;

/** Unicast endpoints in etcd: {@code <root>/v1/endpoints/<network>/<host>} holds that host's list as JSON. */
public final class EtcdEndpointDirectory implements EndpointDirectory {
    private final EtcdHostLists<Endpoint> lists;

    public EtcdEndpointDirectory(EtcdKv kv, KeyLayout keys) {
        this.lists = new EtcdHostLists<>(kv, prefix(keys), new TypeReference<List<Endpoint>>() {
        });
    }

    public static String prefix(KeyLayout keys) {
        return keys.base() + "endpoints/";
    }

    @Override
    public void publish(String network, String host, List<Endpoint> endpoints) {
        // Written only on change: peers watch these keys, and every unicast pass publishes.
        lists.put(network, host, endpoints, true);
    }

    /** A host whose entry does not decode is skipped: flooding still reaches its containers. */
    @Override
    public Map<String, List<Endpoint>> all(String network) {
        return lists.byHost(network);
    }

    @Override
    public void withdraw(String network, String host) {
        lists.delete(network, host);
    }
}
