package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes of the observed cache: once it says a list began after a reconciler's action, the view it gives is
 * that list's (or a later one's), never the one before. A pass that took the earlier view for fresh would act on a
 * container it had just started as still "created": remove it and create it again (OperatorFaultsTest saw one of a
 * stack's two containers replaced right after the pass that created them).
 */
class ObservedCacheFreshnessTest {
    private static final String OWNER = "stack/s";
    private volatile String state = "created";

    private final Docker docker = (Docker) Proxy.newProxyInstance(Docker.class.getClassLoader(),
            new Class<?>[] {Docker.class}, (proxy, method, args) -> switch (method.getName()) {
                case "listManagedContainerDetails" -> List.of(new ListedContainer(new ObservedContainer("c1", "s-web-1",
                        Map.of(BerthLabels.MANAGED_BY, BerthLabels.DEFAULT_INSTANCE, BerthLabels.OWNER, OWNER,
                                BerthLabels.SERVICE, "web", BerthLabels.REPLICA, "1"), state, null),
                        Map.of(), List.of()));
                case "listManagedNetworks" -> List.of();
                case "inspectRun" -> Optional.empty();
                default -> throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void aListIsNeverSaidToBeSeenBeforeItsViewIs() throws Exception {
        ObservedCache cache = new ObservedCache(docker, owner -> { }, listed -> { },
                new RetryPolicy(Duration.ofMillis(100), 2.0, 0.2, Duration.ofSeconds(1)), new SimpleMeterRegistry(),
                Duration.ofMinutes(10), "test-docker");
        try {
            cache.resync();
            Await.until(Duration.ofSeconds(30), "the first list", cache::synced);
            assertEquals("created", stateSeen(cache));

            // The reconciler starts the container; a list that begins after that must show it running.
            state = "running";
            long acted = System.nanoTime();
            Object steadiness = field(ObservedCache.class, cache, "steadiness");
            CacheThread thread = (CacheThread) field(ObservedCache.class, cache, "thread");
            Thread cacheThread = thread.call(Thread::currentThread, 30);
            synchronized (steadiness) {
                // The cache thread lists, then waits here for the steadiness monitor before it replaces its view: a
                // moment a loaded host can stretch by preempting it.
                cache.resync();
                Await.until(Duration.ofSeconds(30), "the cache thread waiting for the steadiness monitor",
                        () -> cacheThread.getState() == Thread.State.BLOCKED);
                assertTrue(!cache.listedAfter(acted) || "running".equals(stateSeen(cache)),
                        "said to be listed after the action while its view still shows the container "
                                + stateSeen(cache));
            }
            Await.until(Duration.ofSeconds(30), "the list after the action", () -> cache.listedAfter(acted));
            assertEquals("running", stateSeen(cache), "the view of the list that began after the action");
        } finally {
            cache.close();
        }
    }

    private static String stateSeen(ObservedCache cache) {
        return cache.forOwner(OWNER).containers().get(0).state();
    }

    private static Object field(Class<?> type, Object owner, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }
}
