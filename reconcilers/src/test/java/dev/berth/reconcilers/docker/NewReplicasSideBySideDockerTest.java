package dev.berth.reconcilers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.crds.stack.DependsOn;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackConverger;
import dev.berth.reconcilers.stack.StackOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * New replicas of one pass are created and started side by side, as Swarm's agents start tasks, while a service that
 * depends on another still starts after it: checked on the real dockerd from the containers' own Created and
 * StartedAt times (serially, every container would have started before the next one was created).
 */
class NewReplicasSideBySideDockerTest {
    private static final String IMG = DockerTestSupport.image();
    private static final List<String> LOOP = List.of("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done");

    private static DockerClient docker;
    private static Docker gateway;
    private static String prefix;
    private static ExecutorService creates;
    private final List<String> stacks = new ArrayList<>();

    @BeforeAll
    static void connect() {
        docker = DockerClients.connect(DockerTestSupport.dockerHost());
        prefix = DockerTestSupport.randomPrefix();
        gateway = new InstrumentedDocker(docker, DockerClients.connectForEvents(DockerTestSupport.dockerHost()),
                t -> DockerClients.connect(DockerTestSupport.dockerHost(), t), prefix);
        creates = Executors.newFixedThreadPool(4);
    }

    @AfterEach
    void cleanUp() {
        stacks.forEach(s -> DockerTestSupport.removeStack(docker, s));
        DockerTestSupport.removeTestObjects(docker, prefix);
    }

    @AfterAll
    static void close() throws Exception {
        creates.shutdownNow();
        docker.close();
    }

    private static ServiceSpec service(String name, int replicas, List<DependsOn> dependsOn) {
        return new ServiceSpec(name, IMG, LOOP, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, true, replicas, null, dependsOn);
    }

    private StackOutcome converge(String suffix, StackSpec spec) {
        String stack = prefix + suffix;
        stacks.add(stack);
        StackOutcome o = new StackConverger(gateway, Clock.systemUTC(), creates).reconcile(stack, Optional.of(spec),
                new ObservedStack(gateway.listManagedContainers(), gateway.listManagedNetworks()));
        o.report().failure().ifPresent(f -> fail(f.reason() + ": " + f.message()));
        return o;
    }

    /** Created and started times of the stack's containers, by name. */
    private Map<String, Instant[]> times(String suffix) {
        Map<String, Instant[]> times = new TreeMap<>();
        for (var c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(dev.berth.reconcilers.labels.BerthLabels.OWNER, "stack/" + prefix + suffix)).exec()) {
            InspectContainerResponse i = docker.inspectContainerCmd(c.getId()).exec();
            times.put(i.getName().substring(1), new Instant[] {Instant.parse(i.getCreated()),
                    Instant.parse(i.getState().getStartedAt())});
        }
        return times;
    }

    @Test
    void newReplicasStartSideBySide() {
        converge("wide", new StackSpec(null, List.of(service("a", 2, List.of()), service("b", 1, List.of()),
                service("c", 1, List.of())), null));
        Map<String, Instant[]> t = times("wide");
        assertEquals(4, t.size(), "every replica created: " + t.keySet());
        boolean overlapped = false;
        List<Instant[]> all = new ArrayList<>(t.values());
        for (int x = 0; x < all.size(); x++) {
            for (int y = x + 1; y < all.size(); y++) {
                // Both were created before either had started: their creates ran at the same time.
                overlapped |= all.get(x)[0].isBefore(all.get(y)[1]) && all.get(y)[0].isBefore(all.get(x)[1]);
            }
        }
        assertTrue(overlapped, "at least two replicas were being created at once; created/started: " + describe(t));
    }

    @Test
    void aServiceThatDependsOnAnotherStartsAfterIt() {
        converge("deps", new StackSpec(null, List.of(service("db", 2, List.of()),
                service("app", 2, List.of(new DependsOn("db", null)))), null));
        Map<String, Instant[]> t = times("deps");
        assertEquals(4, t.size(), "every replica created: " + t.keySet());
        Instant dbsStarted = t.entrySet().stream().filter(e -> e.getKey().contains("-db-")).map(e -> e.getValue()[1])
                .max(Instant::compareTo).orElseThrow();
        t.forEach((name, at) -> {
            if (name.contains("-app-")) {
                assertTrue(!at[0].isBefore(dbsStarted), name + " was created before every db replica had started: "
                        + describe(t));
            }
        });
    }

    @Test
    void onceACreateFailedTheCreatesNotYetBegunAreDeferred() {
        String stack = prefix + "fail";
        stacks.add(stack);
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            // One thread: the run's creates begin in plan order, so the two after the failing one have not begun.
            ServiceSpec missing = new ServiceSpec("a", "berth-test/" + prefix + "-missing:1", LOOP, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, true, 1, null, List.of());
            StackOutcome o = new StackConverger(gateway, Clock.systemUTC(), one).reconcile(stack, Optional.of(
                    new StackSpec(null, List.of(missing, service("b", 1, List.of()), service("c", 1, List.of())), null)),
                    new ObservedStack(gateway.listManagedContainers(), gateway.listManagedNetworks()));
            assertEquals("ImageNotFound", o.report().failure().orElseThrow().reason(), o.report().toString());
            assertEquals(2, o.report().deferred().stream()
                    .filter(d -> d.why().equals("an earlier create of the pass failed")).count(), o.report().toString());
            assertEquals(List.of(), docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(
                    dev.berth.reconcilers.labels.BerthLabels.OWNER, "stack/" + stack)).exec().stream()
                    .map(c -> c.getNames()[0]).toList(), "nothing created after the failure");
        } finally {
            one.shutdownNow();
        }
    }

    private static String describe(Map<String, Instant[]> t) {
        StringBuilder b = new StringBuilder();
        t.forEach((name, at) -> b.append(name).append(' ').append(at[0]).append('/').append(at[1]).append("; "));
        return b.toString();
    }
}
