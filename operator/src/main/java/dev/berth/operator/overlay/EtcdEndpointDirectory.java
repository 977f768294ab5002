package dev.berth.operator.overlay;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.EtcdHostLists;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.overlay.EndpointDirectory;
import java.util.List;
import java.util.Map;

/**
 * Endpoints in etcd: {@code <root>/v1/endpoints/<network>/<host>} holds that host's list of containers on the Network
 * as JSON, for every Network mode (names answer from it; unicast mode programs it). Written by the host's
 * {@link EndpointPublisher} only.
 */
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
        // Written only on change: peers watch these keys.
        lists.put(network, host, endpoints, true);
    }

    /** A host whose entry does not decode is skipped: flooding still reaches its containers. */
    @Override
    public Map<String, List<Endpoint>> all(String network) {
        return lists.byHost(network);
    }

    /** Every Network the host has an entry for, by Network; an entry that does not decode is an empty list. */
    public Map<String, List<Endpoint>> publishedBy(String host) {
        return lists.byGroup(host);
    }

    /** The same from the informer's mirror of the directory's prefix, when it has listed once; else from etcd. */
    public Map<String, List<Endpoint>> publishedBy(String host, EtcdInformer<StoredValue> mirror) {
        return mirror.synced() ? lists.byGroup(host, mirror.values()) : lists.byGroup(host);
    }

    @Override
    public void withdraw(String network, String host) {
        lists.delete(network, host);
    }
}
