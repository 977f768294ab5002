package dev.berth.operator.overlay;

import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.docker.ListedContainer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On every operator with overlays: publishes, per Berth Network with a Docker network on this host, this host's
 * containers on it ({@link EndpointLists}) to {@code v1/endpoints/<network>/<host>}, for every Network mode: names
 * across hosts answer from these lists, unicast mode programs them. The only writer of this host's keys. Fed by the
 * observed cache's own Docker lists (no Docker call of its own; the cache lists again on start, stop, health and
 * network events), so a change reaches etcd within the cache's and this publisher's debounce. Writes only what
 * differs from what it last read or wrote; a Network whose Docker network is gone here loses this host's key.
 * A failed pass is retried on the next list or resync.
 */
public final class EndpointPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointPublisher.class);
    private static final long DEBOUNCE_MS = 100;

    private final EtcdEndpointDirectory directory;
    private final String host;
    private final String instance;
    private final Supplier<Set<String>> networksHere;
    private final ScheduledExecutorService loop;
    private volatile List<ListedContainer> latest;
    private boolean scheduled;
    private volatile boolean closed;
    /** What the directory holds for this host, by Network; null until read (again), e.g. after a failure or resync. */
    private Map<String, List<Endpoint>> published;
    private volatile boolean reread = true;

    /** @param networksHere the Berth Networks whose Docker network exists on this host (as the observed cache shows) */
    public EndpointPublisher(EtcdEndpointDirectory directory, String host, String instance,
                             Supplier<Set<String>> networksHere) {
        this.directory = directory;
        this.host = host;
        this.instance = instance;
        this.networksHere = networksHere;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "network-endpoints");
            t.setDaemon(true);
            return t;
        });
    }

    /** The observed cache listed Docker's containers (or networks): publish what changed, soon. */
    public void listed(List<ListedContainer> containers) {
        latest = containers;
        trigger();
    }

    /** Resync: read the directory again (someone may have changed it) and publish any difference. */
    public void resync() {
        reread = true;
        trigger();
    }

    private synchronized void trigger() {
        if (scheduled || closed) {
            return;
        }
        scheduled = true;
        loop.schedule(() -> {
            synchronized (this) {
                scheduled = false;
            }
            publishNow();
        }, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
    }

    void publishNow() {
        List<ListedContainer> containers = latest;
        if (closed || containers == null) {
            return;
        }
        try {
            if (reread || published == null) {
                reread = false;
                published = new HashMap<>(directory.publishedBy(host));
            }
            Map<String, List<Endpoint>> here = EndpointLists.byNetwork(containers, networksHere.get(), instance);
            Set<String> gone = new HashSet<>(published.keySet());
            gone.removeAll(here.keySet());
            for (Map.Entry<String, List<Endpoint>> network : here.entrySet()) {
                if (!network.getValue().equals(published.get(network.getKey()))) {
                    directory.publish(network.getKey(), host, network.getValue());
                    published.put(network.getKey(), network.getValue());
                    log.debug("network/{}: published {} endpoint(s) of this host", network.getKey(), network.getValue().size());
                }
            }
            for (String network : gone) {
                directory.withdraw(network, host);
                published.remove(network);
                log.info("network/{}: withdrew this host's endpoints (no Docker network here any more)", network);
            }
        } catch (RuntimeException e) {
            published = null;
            log.warn("cannot publish this host's Network endpoints (will retry on the next change or resync): {}",
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
    }
}
