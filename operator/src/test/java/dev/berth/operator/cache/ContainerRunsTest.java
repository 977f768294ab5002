package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.reconcilers.docker.ContainerRun;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.DockerEvent;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Restarts and exit codes cost an inspect only for containers with news; an unchanged list costs none. */
class ContainerRunsTest {
    private final AtomicInteger inspects = new AtomicInteger();
    /** What an inspect of each id says now. */
    private final Map<String, ContainerRun> docker = new HashMap<>();
    private final ContainerRuns runs = new ContainerRuns((Docker) Proxy.newProxyInstance(Docker.class.getClassLoader(),
            new Class<?>[] {Docker.class}, (proxy, method, args) -> {
                if (method.getName().equals("inspectRun")) {
                    inspects.incrementAndGet();
                    return Optional.ofNullable(docker.get((String) args[0]));
                }
                throw new UnsupportedOperationException(method.getName());
            }));

    private static ListedContainer listed(String id, String state) {
        return new ListedContainer(new ObservedContainer(id, "s-web-" + id, Map.of(), state, null, 1L, "img:1",
                "sha256:abc", null), Map.of(), List.of());
    }

    private ContainerRun run(List<ListedContainer> list, String id) {
        return runs.fill(list).stream().map(ListedContainer::container).filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow().run();
    }

    @Test
    void anUnchangedListInspectsNothing() {
        docker.put("a", new ContainerRun(0, "2026-01-01T00:00:00Z", null));
        docker.put("b", new ContainerRun(0, "2026-01-01T00:00:00Z", null));
        List<ListedContainer> list = List.of(listed("a", "running"), listed("b", "running"));
        assertEquals(new ContainerRun(0, "2026-01-01T00:00:00Z", null), run(list, "a"));
        assertEquals(2, inspects.get(), "each new container once");
        for (int i = 0; i < 5; i++) {
            assertEquals(0, run(list, "b").restarts());
        }
        assertEquals(2, inspects.get(), "no news, no inspect");
        runs.event(new DockerEvent("container", "exec_start: sh", "a", Map.of(), 1));
        runs.event(new DockerEvent("container", "health_status: healthy", "a", Map.of(), 1));
        run(list, "a");
        assertEquals(2, inspects.get(), "exec and health events are no news of restarts");
    }

    @Test
    void aRestartBetweenTwoListsIsSeenWithTheExitCodeOfItsDieEvent() {
        docker.put("a", new ContainerRun(0, "2026-01-01T00:00:00Z", null));
        List<ListedContainer> list = List.of(listed("a", "running"));
        assertNull(run(list, "a").exitCode());
        // Died and restarted by Docker between two lists: still "running", and an inspect shows no exit code.
        docker.put("a", new ContainerRun(1, "2026-01-01T00:01:00Z", null));
        runs.event(new DockerEvent("container", "die", "a", Map.of("exitCode", "3"), 2));
        runs.event(new DockerEvent("container", "start", "a", Map.of(), 3));
        assertEquals(new ContainerRun(1, "2026-01-01T00:01:00Z", 3), run(list, "a"));
        assertEquals(2, inspects.get());
        assertEquals(3, run(list, "a").exitCode(), "kept");
        assertEquals(2, inspects.get());
    }

    @Test
    void aNewReplicaCreatedThenStartedCostsNoInspectAndItsRunComesFromTheStartEvent() {
        docker.put("a", new ContainerRun(0, "2026-12-03T19:00:00.000000001Z", null));
        assertEquals(new ContainerRun(0, null, null), run(List.of(listed("a", "created")), "a"));
        assertEquals(0, inspects.get(), "a created container has never run");
        long startedNano = java.time.Instant.parse("2026-12-03T19:00:00.5Z").getEpochSecond() * 1_000_000_000L + 500_000_000L;
        runs.event(new DockerEvent("container", "start", "a", Map.of(), startedNano));
        assertEquals(new ContainerRun(0, "2026-12-03T19:00:00.500Z", null), run(List.of(listed("a", "running")), "a"));
        assertEquals(0, inspects.get(), "its first start is all an inspect would say");
        // Later news is inspected as before: a die and a restart by Docker's policy.
        docker.put("a", new ContainerRun(1, "2026-12-03T19:01:00Z", null));
        runs.event(new DockerEvent("container", "die", "a", Map.of("exitCode", "1"), startedNano + 1));
        runs.event(new DockerEvent("container", "start", "a", Map.of(), startedNano + 2));
        assertEquals(new ContainerRun(1, "2026-12-03T19:01:00Z", 1), run(List.of(listed("a", "running")), "a"));
        assertEquals(1, inspects.get());
    }

    @Test
    void aReplicaWhoseCreateAndStartEventsCameBeforeAnyListCostsNoInspect() {
        docker.put("a", new ContainerRun(0, "2026-12-03T19:00:00Z", null));
        runs.event(new DockerEvent("container", "create", "a", Map.of(), 1_000_000_000L));
        runs.event(new DockerEvent("container", "start", "a", Map.of(), 2_000_000_000L));
        assertEquals(new ContainerRun(0, "1970-01-01T00:00:02Z", null), run(List.of(listed("a", "running")), "a"));
        assertEquals(0, inspects.get());
        // Without its create event, a container first seen running may have run before: inspected.
        docker.put("b", new ContainerRun(4, "2026-12-03T19:00:00Z", null));
        runs.event(new DockerEvent("container", "start", "b", Map.of(), 3_000_000_000L));
        assertEquals(4, run(List.of(listed("a", "running"), listed("b", "running")), "b").restarts());
        assertEquals(1, inspects.get());
    }

    @Test
    void aStartedReplicaListedBeforeItsStartEventWaitsOneListForTheEventThenIsInspected() {
        docker.put("a", new ContainerRun(0, "2026-12-03T19:00:00Z", null));
        docker.put("b", new ContainerRun(0, "2026-12-03T19:00:01Z", null));
        run(List.of(listed("a", "created"), listed("b", "created")), "a");
        List<ListedContainer> running = List.of(listed("a", "running"), listed("b", "running"));
        assertEquals(new ContainerRun(0, null, null), run(running, "a"), "shown as never started until its event");
        assertEquals(0, inspects.get());
        runs.event(new DockerEvent("container", "start", "a", Map.of(), 1_000_000_000L));
        assertEquals(new ContainerRun(0, "1970-01-01T00:00:01Z", null), run(running, "a"));
        assertEquals(new ContainerRun(0, "2026-12-03T19:00:01Z", null), run(running, "b"), "b's event never came");
        assertEquals(1, inspects.get(), "only b, whose start event did not come by the next list");
    }

    @Test
    void aCreatedContainerBeingRemovedIsNeitherAwaitedNorInspected() {
        runs.event(new DockerEvent("container", "create", "a", Map.of(), 1));
        run(List.of(listed("a", "created")), "a");
        assertEquals(new ContainerRun(0, null, null), run(List.of(listed("a", "removing")), "a"));
        assertFalse(runs.behind(), "no start event will come: no list soon for it");
        assertEquals(new ContainerRun(0, null, null), run(List.of(listed("a", "dead")), "a"));
        assertFalse(runs.behind());
        assertEquals(0, inspects.get());
    }

    @Test
    void aChangedStateOrAGapInTheEventsInspectsAgain() {
        docker.put("a", new ContainerRun(0, "2026-01-01T00:00:00Z", null));
        run(List.of(listed("a", "running")), "a");
        docker.put("a", new ContainerRun(0, "2026-01-01T00:00:00Z", 137));
        assertEquals(137, run(List.of(listed("a", "exited")), "a").exitCode());
        docker.put("a", new ContainerRun(1, "2026-01-01T00:02:00Z", null));
        ContainerRun again = run(List.of(listed("a", "running")), "a");
        assertEquals(new ContainerRun(1, "2026-01-01T00:02:00Z", 137), again, "the exit code outlives the restart");
        assertEquals(3, inspects.get());
        runs.gap();
        run(List.of(listed("a", "running")), "a");
        assertEquals(4, inspects.get(), "events may have been missed");
    }

    @Test
    void atMostTheCapIsInspectedPerListAndTheRestFollowInTheNextLists() {
        ContainerRuns capped = new ContainerRuns((Docker) Proxy.newProxyInstance(Docker.class.getClassLoader(),
                new Class<?>[] {Docker.class}, (proxy, method, args) -> {
                    inspects.incrementAndGet();
                    return Optional.ofNullable(docker.get((String) args[0]));
                }), 20);
        List<ListedContainer> list = new java.util.ArrayList<>();
        for (int i = 0; i < 45; i++) {
            docker.put("c" + i, new ContainerRun(i, "2026-01-01T00:00:00Z", null));
            list.add(listed("c" + i, "running"));
        }
        List<ListedContainer> first = capped.fill(list);
        assertEquals(20, inspects.get());
        assertEquals(true, capped.behind(), "25 left: a next list is due");
        assertNull(first.get(44).container().run(), "not inspected yet");
        capped.fill(list);
        assertEquals(40, inspects.get());
        assertEquals(true, capped.behind());
        List<ListedContainer> third = capped.fill(list);
        assertEquals(45, inspects.get());
        assertEquals(false, capped.behind(), "caught up");
        assertEquals(44, third.get(44).container().run().restarts());
        capped.fill(list);
        assertEquals(45, inspects.get(), "no news, no inspect");
        // A gap makes every container news again: still the cap per list.
        capped.gap();
        capped.fill(list);
        assertEquals(65, inspects.get());
        assertEquals(true, capped.behind());
    }

    /** Inspects of ids starting with "f" always fail; the others say what {@link #docker} holds. */
    private ContainerRuns failingF() {
        return new ContainerRuns((Docker) Proxy.newProxyInstance(Docker.class.getClassLoader(),
                new Class<?>[] {Docker.class}, (proxy, method, args) -> {
                    inspects.incrementAndGet();
                    String id = (String) args[0];
                    if (id.startsWith("f")) {
                        throw new IllegalStateException("inspect " + id + " failed");
                    }
                    return Optional.ofNullable(docker.get(id));
                }), 20);
    }

    @Test
    void containersWhoseInspectAlwaysFailsDoNotStarveTheOthers() {
        ContainerRuns capped = failingF();
        List<ListedContainer> list = new java.util.ArrayList<>();
        for (int i = 0; i < 25; i++) {
            list.add(listed("f" + i, "restarting"));
        }
        for (int i = 0; i < 10; i++) {
            docker.put("g" + i, new ContainerRun(i, "2026-01-01T00:00:00Z", null));
            list.add(listed("g" + i, "running"));
        }
        List<ListedContainer> filled = list;
        for (int lists = 0; lists < 3; lists++) {
            filled = capped.fill(list);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(i, filled.get(25 + i).container().run().restarts(), "g" + i + " inspected despite 25 failing");
        }
        assertEquals(true, capped.behind(), "the failing ones are still news");
        assertEquals(false, capped.progress(), "only failures left");
    }

    @Test
    void theCatchUpWaitGrowsWhileNoInspectSucceedsAndStartsAgainOnProgress() {
        ContainerRuns capped = failingF();
        CatchUpDelay delay = new CatchUpDelay(java.time.Duration.ofMillis(1000));
        List<ListedContainer> list = new java.util.ArrayList<>();
        for (int i = 0; i < 25; i++) {
            list.add(listed("f" + i, "restarting"));
        }
        List<Long> waits = new java.util.ArrayList<>();
        for (int lists = 0; lists < 6; lists++) {
            capped.fill(list);
            delay.after(capped.progress(), !capped.anyStale());
            waits.add(delay.nextMs());
        }
        assertEquals(List.of(200L, 400L, 800L, 1000L, 1000L, 1000L), waits, "doubling up to the resync period");
        docker.put("g0", new ContainerRun(0, "2026-01-01T00:00:00Z", null));
        List<ListedContainer> withNews = new java.util.ArrayList<>(list);
        withNews.add(listed("g0", "running"));
        for (int lists = 0; lists < 2 && !capped.progress(); lists++) {
            capped.fill(withNews);
        }
        delay.after(capped.progress(), !capped.anyStale());
        assertEquals(CatchUpDelay.FIRST_MS, delay.nextMs(), "an inspect that succeeded: soon again");
        capped.fill(List.of(listed("g0", "running")));
        delay.after(capped.progress(), !capped.anyStale());
        assertEquals(CatchUpDelay.FIRST_MS, delay.nextMs(), "nothing stale");
    }
}
