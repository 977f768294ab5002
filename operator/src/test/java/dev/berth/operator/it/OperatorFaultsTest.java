package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.PrivateDockerd;
import dev.berth.operator.PrivateEtcd;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.reliability.RunsInTheFaultLane;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Faults of the parts around the operator: etcd down, dockerd restarted, the operator itself killed. */
@RunsInTheFaultLane
class OperatorFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Set<String> ids(List<Container> containers) {
        return containers.stream().map(Container::getId).collect(Collectors.toSet());
    }

    @Test
    void etcdStoppedKeepsEverythingAndConvergesWhenItReturns() throws Exception {
        try (PrivateEtcd etcd = new PrivateEtcd()) {
            etcd.start();
            try (TestOperator h = TestOperator.builder().etcdEndpoints(etcd.endpoint()).build()) {
                h.start();
                String s = h.name("kept");
                h.apply(StackYaml.stack(s).replicas(2).yaml());
                h.awaitReady(s, 2);
                Set<String> before = ids(h.containers(s));

                etcd.stop();
                Await.until(WAIT, "/readyz to say etcd is unreachable", () -> {
                    var ready = h.http("/readyz");
                    return ready.statusCode() == 503 && ready.body().contains("[-] etcd");
                });
                double resyncs = h.metric("berth_resyncs_total");
                Await.until(WAIT, "three resyncs while etcd is down", () -> h.metric("berth_resyncs_total") >= resyncs + 3);
                assertEquals(before, ids(h.running(s)), "no container is removed or replaced while etcd is away");

                etcd.start();
                // The test's own client reconnects with gRPC's backoff too: retry the apply until it lands.
                Await.until(WAIT, "the change applied once etcd is back", () -> {
                    h.apply(StackYaml.stack(s).replicas(3).yaml());
                    return true;
                });
                h.awaitReady(s, 3);
                assertTrue(ids(h.containers(s)).containsAll(before));
                Await.until(WAIT, "/readyz ready again", () -> h.http("/readyz").statusCode() == 200);
            }
        }
    }

    @Test
    void dockerdRestartedTheOperatorReconnectsItsEventsAndConverges() throws Exception {
        try (PrivateDockerd dockerd = new PrivateDockerd()) {
            dockerd.start();
            dockerd.copyImageFrom(TestEnv.dockerHost(), TestEnv.testImage());
            // A long resync: only Docker events can bring the operator back to a removed container in time.
            try (TestOperator h = TestOperator.builder().dockerHost(dockerd.host())
                    .resync(Duration.ofMinutes(10)).build()) {
                h.start();
                String s = h.name("dr");
                h.apply(StackYaml.stack(s).replicas(2).yaml());
                h.awaitReady(s, 2);

                dockerd.stop();
                Await.until(WAIT, "/readyz to say Docker is unreachable", () -> h.http("/readyz").body().contains("[-] docker"));
                dockerd.start();
                Await.until(WAIT, "ready again after dockerd is back", () -> h.http("/readyz").statusCode() == 200);
                double reconnects = h.metric("berth_docker_event_reconnects_total");
                assertTrue(reconnects >= 1, "the event stream was reconnected");

                // Docker restarts (or the operator replaces) the containers; wait until that has settled.
                h.awaitReady(s, 2);
                Container victim = h.containers(s).get(0);
                h.docker.removeContainerCmd(victim.getId()).withForce(true).exec();
                Await.until(WAIT, "the removed container put back through the reconnected event stream",
                        () -> h.isReady(s, 2) && !ids(h.containers(s)).contains(victim.getId()), () -> h.describeStatus(s));
            }
        }
    }

    @Test
    void operatorKilledMidCreationLeavesNoDuplicatesAndSigtermExitsZero() throws Exception {
        try (TestOperator h = TestOperator.create()) {
            String s = h.name("k9");
            h.apply(StackYaml.stack(s).replicas(4).yaml());
            Process first = startOperatorProcess(h, "first");
            try {
                Await.until(WAIT, "the first operator to have created some but not all containers",
                        () -> !h.containers(s).isEmpty() && h.running(s).size() < 4, () -> h.describeStatus(s));
            } finally {
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertEquals(137, first.exitValue(), "killed with SIGKILL");

            Process second = startOperatorProcess(h, "second");
            try {
                h.awaitReady(s, 4);
                List<String> names = h.containers(s).stream().map(c -> c.getNames()[0]).sorted().toList();
                assertEquals(List.of("/" + s + "-web-1", "/" + s + "-web-2", "/" + s + "-web-3", "/" + s + "-web-4"), names);
                List<Container> all = h.docker.listContainersCmd().withShowAll(true)
                        .withLabelFilter(java.util.Map.of(BerthLabels.MANAGED_BY, h.instance)).exec();
                assertEquals(4, all.size(), "no orphans");
            } finally {
                second.destroy();
            }
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
            assertEquals(0, second.exitValue(), "a graceful stop exits 0");
            assertEquals(4, h.running(s).size(), "stopping the operator stops no container");
        }
    }

    private static Process startOperatorProcess(TestOperator h, String name) throws Exception {
        int port = dev.berth.operator.FreePorts.one();
        List<String> command = h.processCommand(h.host, List.of(),
                "--listen", "127.0.0.1:" + port, "--resync", "2", "--max-backoff", "3");
        File log = new File("target/operator-" + h.instance + "-" + name + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }
}
