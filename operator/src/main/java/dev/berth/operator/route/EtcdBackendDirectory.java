package dev.berth.operator.route;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.EtcdHostLists;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.route.BackendDirectory;
import dev.berth.reconcilers.route.PublishedContainer;
import java.util.List;
import java.util.Map;

/**
 * Backends in etcd: {@code <root>/v1/backends/<stack>/<host>} holds that host's running containers of the stack as
 * JSON.
 */
public final class EtcdBackendDirectory implements BackendDirectory {
    private final EtcdHostLists<PublishedContainer> lists;

    public EtcdBackendDirectory(EtcdKv kv, KeyLayout keys) {
        this.lists = new EtcdHostLists<>(kv, prefix(keys), new TypeReference<List<PublishedContainer>>() {
        });
    }

    public static String prefix(KeyLayout keys) {
        return keys.base() + "backends/";
    }

    /** The publisher writes only what changed since it last read the directory, so no read here. */
    @Override
    public void publish(String stack, String host, List<PublishedContainer> containers) {
        if (containers.isEmpty()) {
            lists.delete(stack, host);
        } else {
            lists.put(stack, host, containers, false);
        }
    }

    /** A host whose entry does not decode (another version's) is skipped until it publishes again. */
    @Override
    public Map<String, List<PublishedContainer>> all(String stack) {
        return lists.byHost(stack);
    }

    /** An entry that does not decode reads as empty, so it differs from what runs and is written again. */
    @Override
    public Map<String, List<PublishedContainer>> publishedBy(String host) {
        return lists.byGroup(host);
    }

    /** The same from the informer's mirror of the directory's prefix, when it has listed once; else from etcd. */
    public Map<String, List<PublishedContainer>> publishedBy(String host, EtcdInformer<StoredValue> mirror) {
        return mirror.synced() ? lists.byGroup(host, mirror.values()) : lists.byGroup(host);
    }
}
