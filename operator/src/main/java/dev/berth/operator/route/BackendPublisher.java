package dev.berth.operator.route;

import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.HostListPublisher;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.route.BackendLister;
import dev.berth.reconcilers.route.PublishedContainer;
import java.util.List;
import java.util.Map;

/**
 * On every operator: publishes this host's running stack containers (state, health, published ports, network IPs)
 * to the backend directory, so the route leader sees backends on every host, and withdraws (an empty list, which
 * deletes the key) the stacks this host runs no running container of. The publishing itself (debounce, writing only
 * differences) is {@link HostListPublisher}'s.
 */
public final class BackendPublisher implements AutoCloseable {
    private final HostListPublisher<PublishedContainer> publisher;
    private volatile BackendLister.Leaving leaving = BackendLister.Leaving.NONE;

    /** @param mirror the backends informer: what this host published is read from it, not listed from etcd */
    public BackendPublisher(EtcdBackendDirectory directory, EtcdInformer<StoredValue> mirror, String host,
                            String instance, String address) {
        this.publisher = new HostListPublisher<>("route-backends", new HostListPublisher.Store<>() {
            @Override
            public Map<String, List<PublishedContainer>> published() {
                return directory.publishedBy(host, mirror);
            }

            @Override
            public void publish(String stack, List<PublishedContainer> containers) {
                directory.publish(stack, host, containers);
            }

            @Override
            public void withdraw(String stack) {
                directory.publish(stack, host, List.of());
            }
        }, containers -> BackendLister.byStack(containers, instance, address, leaving));
    }

    /** The observed cache listed Docker's containers: publish what changed, soon. */
    public void listed(List<ListedContainer> containers) {
        publisher.listed(containers);
    }

    /**
     * Which replicas this host no longer serves (moved to another host by the scheduler); asks for a new look now,
     * and {@link #recheck()} after each change of what it answers.
     */
    public void leaving(BackendLister.Leaving leaving) {
        this.leaving = leaving;
        publisher.recheck();
    }

    /** What {@link #leaving} answers may have changed: publish again from the last list. */
    public void recheck() {
        publisher.recheck();
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
