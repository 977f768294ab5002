package dev.berth.operator.route;

import dev.berth.reconcilers.route.BackendDirectory;
import dev.berth.reconcilers.route.BackendLister;
import dev.berth.reconcilers.route.PublishedContainer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On every operator: publishes this host's stack containers (state, health, published ports, network IPs) to the
 * backend directory, so the route leader sees backends on every host. Runs on Docker changes (debounced) and on
 * resync; withdraws the stacks this host no longer runs. A failed pass is retried on the next trigger.
 */
public final class BackendPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackendPublisher.class);
    private static final long DEBOUNCE_MS = 100;

    private final BackendLister lister;
    private final BackendDirectory directory;
    private final String host;
    private final String address;
    private final ScheduledExecutorService loop;
    private boolean scheduled;
    private volatile boolean closed;

    public BackendPublisher(BackendLister lister, BackendDirectory directory, String host, String address) {
        this.lister = lister;
        this.directory = directory;
        this.host = host;
        this.address = address;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-backends");
            t.setDaemon(true);
            return t;
        });
    }

    /** Publish soon (several triggers within the debounce make one pass). */
    public synchronized void trigger() {
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
        if (closed) {
            return;
        }
        try {
            Map<String, List<PublishedContainer>> here = lister.list(address);
            Set<String> stale = new HashSet<>(directory.publishedBy(host));
            here.forEach((stack, containers) -> {
                directory.publish(stack, host, containers);
                stale.remove(stack);
            });
            stale.forEach(stack -> directory.publish(stack, host, List.of()));
        } catch (RuntimeException e) {
            log.warn("cannot publish this host's backends (will retry on the next change or resync): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
    }
}
