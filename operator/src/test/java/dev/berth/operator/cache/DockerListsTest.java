package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.ListedContainer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A list of networks only hands on the containers of an earlier list: it must say that they were not listed now, so
 * that no one (the Secret file collector) takes them as a fresh view of the containers.
 */
class DockerListsTest {
    private final AtomicInteger containerLists = new AtomicInteger();
    /** Docker for pure code: counts container lists, lists nothing. */
    private final Docker docker = (Docker) Proxy.newProxyInstance(Docker.class.getClassLoader(),
            new Class<?>[] {Docker.class}, (proxy, method, args) -> switch (method.getName()) {
                case "listManagedContainerDetails" -> {
                    containerLists.incrementAndGet();
                    yield List.<ListedContainer>of();
                }
                case "listManagedNetworks" -> List.of();
                default -> throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void onlyAListOfContainersSaysWhenTheContainersWereTaken() {
        DockerLists lists = new DockerLists(docker, new SimpleMeterRegistry());
        Instant before = Instant.now();
        DockerLists.Listing full = lists.list(true, true).orElseThrow();
        assertTrue(full.containersTaken().isPresent());
        assertFalse(full.containersTaken().get().isBefore(before));

        DockerLists.Listing networksOnly = lists.list(false, true).orElseThrow();
        assertEquals(1, containerLists.get(), "the containers were not listed again");
        assertTrue(networksOnly.containersTaken().isEmpty(), "an old list of containers is not a fresh one");

        DockerLists.Listing containers = lists.list(true, false).orElseThrow();
        assertEquals(2, containerLists.get());
        assertFalse(containers.containersTaken().orElseThrow().isBefore(full.containersTaken().get()));
    }

    @Test
    void theFirstListOfNetworksListsContainersToo() {
        DockerLists lists = new DockerLists(docker, new SimpleMeterRegistry());
        assertTrue(lists.list(false, true).orElseThrow().containersTaken().isPresent(), "none listed before");
        assertEquals(1, containerLists.get());
    }
}
