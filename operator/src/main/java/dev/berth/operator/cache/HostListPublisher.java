package dev.berth.operator.cache;

import dev.berth.reconcilers.docker.ListedContainer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes lists this host keeps in etcd, one per group (a stack's backends, a Network's endpoints), computed from the
 * observed cache's own Docker lists: no Docker call of its own. Changes are gathered for 100 ms on one thread of its
 * own; only groups whose list differs from what was last read or written are written, and groups no longer computed
 * are withdrawn. What is stored is read again at first, after a failure and on resync (someone may have changed it).
 * A failed pass is retried on the next list, {@link #recheck} or resync.
 */
public final class HostListPublisher<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostListPublisher.class);
    private static final long DEBOUNCE_MS = 100;

    /** Where the lists are kept: this host's stored lists by group, and writing or withdrawing one. */
    public interface Store<T> {
        Map<String, List<T>> published();

        void publish(String group, List<T> list);

        void withdraw(String group);
    }

    private final String what;
    private final Store<T> store;
    private final Function<List<ListedContainer>, Map<String, List<T>>> compute;
    private final ScheduledExecutorService loop;
    private volatile List<ListedContainer> latest;
    private boolean scheduled;
    private volatile boolean closed;
    /** What the store holds for this host; null until read (again). */
    private Map<String, List<T>> published;
    private volatile boolean reread = true;

    /**
     * @param what    what is published, for the thread's name and the logs (e.g. "route-backends")
     * @param compute this host's lists by group, from Docker's container list (pure, called on the publisher's thread)
     */
    public HostListPublisher(String what, Store<T> store, Function<List<ListedContainer>, Map<String, List<T>>> compute) {
        this.what = what;
        this.store = store;
        this.compute = compute;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, what);
            t.setDaemon(true);
            return t;
        });
    }

    /** The observed cache listed Docker's containers: publish what changed, soon. */
    public void listed(List<ListedContainer> containers) {
        latest = containers;
        trigger();
    }

    /** Something {@code compute} reads besides the list changed: compute again from the last list, soon. */
    public void recheck() {
        trigger();
    }

    /** Resync: read the store again and publish any difference. */
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
                published = new HashMap<>(store.published());
            }
            Map<String, List<T>> here = compute.apply(containers);
            Set<String> gone = new HashSet<>(published.keySet());
            gone.removeAll(here.keySet());
            for (Map.Entry<String, List<T>> group : here.entrySet()) {
                if (!group.getValue().equals(published.get(group.getKey()))) {
                    store.publish(group.getKey(), group.getValue());
                    published.put(group.getKey(), group.getValue());
                    log.debug("{}/{}: published {} item(s) of this host", what, group.getKey(), group.getValue().size());
                }
            }
            for (String group : gone) {
                store.withdraw(group);
                published.remove(group);
                log.info("{}/{}: withdrew this host's list", what, group);
            }
        } catch (RuntimeException e) {
            published = null;
            dev.berth.operator.store.RefusalWarnings.warnUnlessRefused(log, e,
                    "{}: cannot publish this host's lists (will retry on the next change or resync): {}", what,
                    e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        loop.shutdownNow();
    }
}
