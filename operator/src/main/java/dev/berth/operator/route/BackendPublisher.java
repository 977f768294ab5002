package dev.berth.operator.route;

import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.route.BackendDirectory;
import dev.berth.reconcilers.route.BackendLister;
import dev.berth.reconcilers.route.PublishedContainer;
import java.util.HashMap;
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
 * backend directory, so the route leader sees backends on every host. Fed by the observed cache's own Docker
 * lists (no Docker call of its own); writes only what changed since it last read or wrote the directory, and
 * withdraws the stacks this host no longer runs. A failed pass is retried on the next list or resync.
 */
public final class BackendPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackendPublisher.class);
    private static final long DEBOUNCE_MS = 100;

    private final BackendDirectory directory;
    private final String host;
    private final String instance;
    private final String address;
    private final ScheduledExecutorService loop;
    private volatile List<ListedContainer> latest;
    private boolean scheduled;
    private volatile boolean closed;
    /** What the directory holds for this host; null until read (again), e.g. after a failure or on resync. */
    private Map<String, List<PublishedContainer>> published;
    private volatile boolean reread = true;

    private volatile BackendLister.Leaving leaving = BackendLister.Leaving.NONE;

    public BackendPublisher(BackendDirectory directory, String host, String instance, String address) {
        this.directory = directory;
        this.host = host;
        this.instance = instance;
        this.address = address;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-backends");
            t.setDaemon(true);
            return t;
        });
    }

    /** The observed cache listed Docker's containers: publish what changed, soon. */
    public void listed(List<ListedContainer> containers) {
        latest = containers;
        trigger();
    }

    /**
     * Which replicas this host no longer serves (moved to another host by the scheduler); asks for a new look now,
     * and {@link #recheck()} after each change of what it answers.
     */
    public void leaving(BackendLister.Leaving leaving) {
        this.leaving = leaving;
        trigger();
    }

    /** What {@link #leaving} answers may have changed: publish again from the last list. */
    public void recheck() {
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
            Map<String, List<PublishedContainer>> here = BackendLister.byStack(containers, instance, address, leaving);
            Set<String> gone = new HashSet<>(published.keySet());
            gone.removeAll(here.keySet());
            for (Map.Entry<String, List<PublishedContainer>> stack : here.entrySet()) {
                if (!stack.getValue().equals(published.get(stack.getKey()))) {
                    directory.publish(stack.getKey(), host, stack.getValue());
                    published.put(stack.getKey(), stack.getValue());
                }
            }
            for (String stack : gone) {
                directory.publish(stack, host, List.of());
                published.remove(stack);
            }
        } catch (RuntimeException e) {
            published = null;
            log.warn("cannot publish this host's backends (will retry on the next change or resync): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
    }
}
