package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth diff} prints the reconciler's plan for a host; {@code berth apply} notes and warns about placement. */
class DiffAndNoticeTest {
    /**
     * Global mode: diff plans every host's share without a scheduler decision (a replicated stack's plan depends on
     * its assignment, which no scheduler has written before the operator starts), and "not-placed" is a host that
     * runs it too.
     */
    @Test
    void diffPrintsThePlanAndNothingOnceConverged() throws Exception {
        try (TestOperator h = TestOperator.create()) {
            String s = h.name("diff");
            h.apply(StackYaml.stack(s).global().replicas(2).yaml());
            CliRun before = h.cli("diff", "stack", s, "--host", h.host, "--instance", h.instance,
                    "--docker-host", TestEnv.dockerHost());
            assertEquals(1, before.exit(), before.err());
            assertTrue(before.out().contains("create network " + s + "_default"), before.out());
            assertTrue(before.out().contains("create container " + s + "-web-1"), before.out());
            assertTrue(before.out().contains("create container " + s + "-web-2"), before.out());
            assertTrue(h.containers(s).isEmpty(), "diff changes nothing");

            h.start();
            h.awaitReady(s, 2);
            CliRun after = h.cli("diff", "stack", s, "--host", h.host, "--instance", h.instance,
                    "--docker-host", TestEnv.dockerHost());
            assertEquals(0, after.exit(), after.out() + after.err());
            assertTrue(after.out().contains("nothing to do"), after.out());

            CliRun elsewhere = h.cli("diff", "stack", s, "--host", "not-placed", "--instance", h.instance,
                    "--docker-host", TestEnv.dockerHost());
            assertEquals(0, elsewhere.exit(), "all hosts: runs there too, and its Docker is this one: converged");
        }
    }

    /**
     * A Berth Network whose Docker network is not on the host yet is waited for, as the operator does; before, diff
     * took it for a Docker network made outside Berth and showed a plan the operator never makes. A name that is
     * neither is NetworkNotFound, as the operator reports.
     */
    @Test
    void diffClassifiesTheNetworksAsTheOperatorDoes() throws Exception {
        try (TestOperator h = TestOperator.create()) {
            String s = h.name("dnet");
            String network = s + "-overlay";
            h.apply("apiVersion: berth.dev/v1\nkind: Network\nmetadata:\n  name: " + network
                    + "\nspec:\n  vni: 4321\n  subnet: 10.213.0.0/16\n");
            h.apply(StackYaml.stack(s).global().networks(network).yaml());
            CliRun waiting = h.cli("diff", "stack", s, "--host", h.host, "--instance", h.instance,
                    "--docker-host", TestEnv.dockerHost());
            assertTrue(waiting.exit() > 1, waiting.out() + waiting.err());
            assertFalse(waiting.out().contains("create container"), waiting.out());
            assertTrue(waiting.err().contains("gateway on Network " + network + " is not known yet"), waiting.err());

            String missing = h.name("dmiss");
            h.apply(StackYaml.stack(missing).global().networks(missing + "-nowhere").yaml());
            CliRun notFound = h.cli("diff", "stack", missing, "--host", h.host, "--instance", h.instance,
                    "--docker-host", TestEnv.dockerHost());
            assertTrue(notFound.exit() > 1, notFound.out() + notFound.err());
            assertTrue(notFound.err().contains("NetworkNotFound"), notFound.err());
        }
    }

    /** The operator merges labels-mode Route labels into the containers; diff must plan from the same spec. */
    @Test
    void diffAgreesWithTheOperatorOnAStackTargetedByALabelsModeRoute() throws Exception {
        try (TestOperator h = TestOperator.builder().ownTraefikRoot().build().start()) {
            String s = h.name("lbl");
            h.apply(StackYaml.stack(s).yaml());
            h.apply("""
                    apiVersion: berth.dev/v1
                    kind: Route
                    metadata:
                      name: %s
                    spec:
                      mode: labels
                      hosts: [diff.example]
                      target: {stack: %s, service: web, port: 8080}
                    """.formatted(h.instance + "-lbl", s));
            dev.berth.operator.Await.until(java.time.Duration.ofSeconds(60), "the container with Traefik's labels, Ready",
                    () -> h.isReady(s, 1) && "true".equals(h.running(s).get(0).getLabels().get("traefik.enable")),
                    () -> h.describeStatus(s));
            CliRun diff = h.cli("diff", "stack", s, "--host", h.host, "--instance", h.instance,
                    "--docker-host", TestEnv.dockerHost());
            assertEquals(0, diff.exit(), diff.out() + diff.err());
            assertTrue(diff.out().contains("nothing to do"), diff.out());
        }
    }

    @Test
    void applyNotesWhereAStackWithoutPlacementRunsOnSeveralHosts(@TempDir Path dir) throws Exception {
        try (TestOperator h = TestOperator.create()) {
            Path file = dir.resolve("s.yaml");
            Files.writeString(file, StackYaml.stack(h.name("everywhere")).yaml());
            CliRun one = h.cli("apply", "-f", file.toString());
            assertEquals("", one.err(), "no note with fewer than two known hosts");
            h.etcd.kv.put(h.keys().host("host-a"), "{}");
            h.etcd.kv.put(h.keys().host("host-b"), "{}");
            CliRun two = h.cli("apply", "-f", file.toString());
            assertEquals(0, two.exit());
            assertTrue(two.err().contains("may run on any host: the scheduler spreads the replicas of each service "
                    + "over all 2 known hosts (host-a, host-b)"), two.err());
        }
    }

    /** The warnings come from the host records in etcd (labels), and point at the field in the applied file. */
    @Test
    void applyWarnsAboutHostDataWithFailoverAndASpreadLabelNoHostHas(@TempDir Path dir) throws Exception {
        try (TestOperator h = TestOperator.create()) {
            h.etcd.kv.put(h.keys().host("host-a"), "{\"name\":\"host-a\",\"labels\":{\"zone\":\"a\"}}");
            h.etcd.kv.put(h.keys().host("host-b"), "{\"name\":\"host-b\",\"labels\":{\"zone\":\"b\"}}");
            Path file = dir.resolve("db.yaml");
            Files.writeString(file, StackYaml.stack(h.name("db")).placement("{spread: rack}")
                    .with("volumes: [{type: volume, source: data, target: /data}]").yaml());
            CliRun apply = h.cli("apply", "-f", file.toString());
            assertEquals(0, apply.exit(), apply.err());
            assertTrue(apply.err().contains(file + ":6:23: warning: spec.placement.spread: no live host that service "
                    + "\"web\" may run on has the label \"rack\""), apply.err());
            assertTrue(apply.err().contains(file + ":12:17: warning: spec.services[0].volumes[0]: service \"web\" is "
                    + "replicated with failover on and mounts the named volume \"data\""), apply.err());

            Files.writeString(file, StackYaml.stack(h.name("db")).placement("{spread: zone}")
                    .with("failover: false\nvolumes: [{type: volume, source: data, target: /data}]").yaml());
            CliRun fixed = h.cli("apply", "-f", file.toString());
            assertEquals(0, fixed.exit(), fixed.err());
            assertTrue(!fixed.err().contains("warning:"), fixed.err());
        }
    }
}
