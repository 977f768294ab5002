package dev.berth.operator.overlay;

import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.HostListPublisher;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.docker.ListedContainer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * On every operator with overlays: publishes, per Berth Network with a Docker network on this host, this host's
 * containers on it ({@link EndpointLists}) to {@code v1/endpoints/<network>/<host>}, for every Network mode: names
 * across hosts answer from these lists, unicast mode programs them. The only writer of this host's keys. Fed by the
 * observed cache's own Docker lists (no Docker call of its own; the cache lists again on start, stop, health and
 * network events), so a change reaches etcd within the cache's and this publisher's debounce. Writes only what
 * differs from what it last read or wrote; a Network whose Docker network is gone here loses this host's key.
 * The publishing itself (debounce, writing only differences, reading back) is {@link HostListPublisher}'s.
 */
public final class EndpointPublisher implements AutoCloseable {
    private final HostListPublisher<Endpoint> publisher;

    /** @param networksHere the Berth Networks whose Docker network exists on this host (as the observed cache shows) */
    /** @param mirror the endpoints informer: what this host published is read from it, not listed from etcd */
    public EndpointPublisher(EtcdEndpointDirectory directory, EtcdInformer<StoredValue> mirror, String host,
                             String instance, Supplier<Set<String>> networksHere) {
        this.publisher = new HostListPublisher<>("network-endpoints", new HostListPublisher.Store<>() {
            @Override
            public Map<String, List<Endpoint>> published() {
                return directory.publishedBy(host, mirror);
            }

            @Override
            public void publish(String network, List<Endpoint> endpoints) {
                directory.publish(network, host, endpoints);
            }

            @Override
            public void withdraw(String network) {
                directory.withdraw(network, host);
            }
        }, containers -> EndpointLists.byNetwork(containers, networksHere.get(), instance));
    }

    /** The observed cache listed Docker's containers (or networks): publish what changed, soon. */
    public void listed(List<ListedContainer> containers) {
        publisher.listed(containers);
    }

    /** Resync: read the directory again from the informer (someone may have changed it) and publish any difference. */
    public void resync() {
        publisher.resync();
    }

    @Override
    public void close() {
        publisher.close();
    }
}
