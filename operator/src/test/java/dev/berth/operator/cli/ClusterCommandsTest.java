package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.CordonRecord;
import dev.berth.operator.schedule.MemberRecord;
import dev.berth.operator.store.StatusCodec;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * get hosts, cordon / uncordon / drain host, rebalance stack, and the cluster-wide get stacks / describe / get
 * networks, through the real command line against the real etcd. The records the operators and the scheduler leader
 * would write (host records, members, assignments, status rows) are written here straight into etcd.
 */
class ClusterCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @TempDir
    Path dir;

    private void put(String key, Object record) throws Exception {
        etcd.kv.put(key, JSON.writeValueAsString(record));
    }

    private void liveHost(String name) throws Exception {
        put(etcd.keys.host(name), new HostRecord(name, Map.of("zone", "a"), "test", Instant.now().toString(), "10.9.0.1",
                HostRecord.vtepMacFor(name), List.of(), Instant.now().toString(), 4000L, 8L << 30));
        put(etcd.keys.member(name), new MemberRecord(name, Instant.now().toString(), null));
    }

    /** A host the leader saw go two minutes ago: a member record and no live record. */
    private String downHost(String name) throws Exception {
        Instant lastSeen = Instant.now().minusSeconds(125);
        put(etcd.keys.member(name), new MemberRecord(name, lastSeen.toString(), lastSeen.plusSeconds(5).toString()));
        return Ages.clock(lastSeen.toString(), Instant.now());
    }

    private void assign(String stack, List<Assignment> assignments, List<Handover> handovers) throws Exception {
        put(etcd.keys.assignment(stack), new StackAssignment(stack, 1, assignments, handovers, List.of(), List.of(),
                Instant.now().toString()));
    }

    private void apply(String yaml) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "m", ".yaml"), yaml);
        CliRun run = etcd.cli("apply", "-f", file.toString());
        assertEquals(0, run.exit(), run.err());
    }

    private long revision(String stack) {
        return etcd.kv.get(etcd.keys.desired("stack", stack)).orElseThrow().modRevision();
    }

    private void report(String stack, String host, long revision, ReplicaStatus... replicas) {
        int running = (int) List.of(replicas).stream().filter(r -> r.state().equals("running")).count();
        ObjectStatus status = new ObjectStatus(host, revision, List.of(new Condition(Condition.READY, "True", "Running", "",
                "2026-12-01T12:00:00Z")), Map.of("httpd", new ServiceCount(running, replicas.length)), null,
                Instant.now().toString(), List.of(replicas));
        etcd.kv.put(etcd.keys.status("stack", stack, host), new StatusCodec().write(status));
    }

    private static ReplicaStatus running(String stack, int replica) {
        return new ReplicaStatus(stack + "-httpd-" + replica, "httpd", replica, "running", null, "");
    }

    private static String line(String out, String start) {
        return out.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(start + " not in\n" + out));
    }

    @Test
    void getHostsShowsEveryKnownHostWithItsState() throws Exception {
        liveHost("hb1");
        liveHost("hb2");
        liveHost("hb3");
        liveHost("hb5");
        String seen = downHost("hb4");
        put(etcd.keys.cordon("hb2"), new CordonRecord("hb2", false, Instant.now().toString()));
        put(etcd.keys.cordon("hb3"), new CordonRecord("hb3", true, Instant.now().toString()));
        put(etcd.keys.cordon("hb5"), new CordonRecord("hb5", true, Instant.now().toString()));
        assign("web", List.of(new Assignment("httpd", 1, "hb3")), List.of());

        CliRun run = etcd.cli("get", "hosts");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("HOST "), run.out());
        assertTrue(line(run.out(), "hb1 ").contains(" Ready "), run.out());
        assertTrue(line(run.out(), "hb2 ").contains(" Cordoned "), run.out());
        assertTrue(line(run.out(), "hb3 ").contains(" Draining "), run.out());
        assertTrue(line(run.out(), "hb5 ").contains(" Drained "), run.out());
        assertTrue(line(run.out(), "hb4 ").matches("hb4 +- +- +- +Down +down 2m, last seen " + seen), run.out());
        assertFalse(run.out().contains("Alive"), run.out());

        CliRun wide = etcd.cli("get", "hosts", "-o", "wide");
        assertTrue(wide.out().lines().findFirst().orElseThrow().contains("CPUS   MEMORY"), wide.out());
        assertTrue(line(wide.out(), "hb1 ").contains(" 4      8Gi "), wide.out());
    }

    @Test
    void cordonAndUncordonWriteAndDeleteTheCordonKey() throws Exception {
        liveHost("hb1");
        CliRun cordon = etcd.cli("cordon", "host", "hb1");
        assertEquals(0, cordon.exit(), cordon.err());
        assertTrue(cordon.out().contains("host/hb1 cordoned"), cordon.out());
        CordonRecord stored = JSON.readValue(etcd.kv.get(etcd.keys.cordon("hb1")).orElseThrow().value(), CordonRecord.class);
        assertEquals("hb1", stored.host());
        assertFalse(stored.drain());
        assertTrue(line(etcd.cli("get", "hosts").out(), "hb1 ").contains(" Cordoned "));

        CliRun uncordon = etcd.cli("uncordon", "host", "hb1");
        assertEquals(0, uncordon.exit(), uncordon.err());
        assertTrue(etcd.kv.get(etcd.keys.cordon("hb1")).isEmpty());
        assertTrue(line(etcd.cli("get", "hosts").out(), "hb1 ").contains(" Ready "));
    }

    @Test
    void anUnknownHostIsRefusedWithTheKnownHostsListed() throws Exception {
        liveHost("hb1");
        downHost("hb4");
        Map<String, String> before = etcd.snapshot();
        for (String command : List.of("cordon", "drain", "uncordon")) {
            CliRun run = etcd.cli(command, "host", "hb9");
            assertEquals(1, run.exit(), command + ": " + run.out() + run.err());
            assertEquals("error: unknown host \"hb9\": no live host record and no member record (known hosts: hb1, hb4)\n",
                    run.err(), command);
        }
        assertEquals(before, etcd.snapshot(), "nothing written");
        assertEquals(1, etcd.cli("get", "hosts", "hb9").exit());
        CliRun one = etcd.cli("get", "host", "hb4");
        assertEquals(0, one.exit(), one.err());
        assertEquals(2, one.out().lines().count(), one.out());
        assertTrue(line(one.out(), "hb4 ").contains(" Down "), one.out());
        CliRun wrongKind = etcd.cli("cordon", "stack", "hb1");
        assertEquals(2, wrongKind.exit(), wrongKind.err());
        assertTrue(wrongKind.err().contains("berth cordon takes hosts only, not \"stack\""), wrongKind.err());
    }

    @Test
    void drainWaitsUntilNoAssignmentNamesTheHost() throws Exception {
        liveHost("hb1");
        liveHost("hb2");
        assign("web", List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb2"),
                new Assignment("httpd", 3, "hb2")), List.of());
        CompletableFuture<CliRun> drain = CompletableFuture.supplyAsync(
                () -> etcd.cli("drain", "host", "hb2", "--timeout", "60s", "--poll", "100ms"));
        Await.until(Duration.ofSeconds(10), "the drain cordon", () -> etcd.kv.get(etcd.keys.cordon("hb2"))
                .map(v -> v.value().contains("\"drain\":true")).orElse(false));
        // The scheduler moves one replica at a time: a handover first, then the old host lets go.
        assign("web", List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb1"),
                new Assignment("httpd", 3, "hb2")), List.of(new Handover("httpd", 2, "hb2", "hb1")));
        Thread.sleep(300);
        assertFalse(drain.isDone(), "a drain with replicas left keeps waiting");
        assign("web", List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb1"),
                new Assignment("httpd", 3, "hb1")), List.of());
        CliRun run = drain.get(30, TimeUnit.SECONDS);
        assertEquals(0, run.exit(), run.out() + run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals("host/hb2 draining: no new replicas, its replicas move elsewhere one at a time", lines.get(0));
        assertEquals("hb2: 2 replicas left: web/httpd-2, web/httpd-3", lines.get(1));
        assertEquals("hb2: drained, the scheduler places nothing on it", lines.get(lines.size() - 1));
        assertTrue(line(etcd.cli("get", "hosts").out(), "hb2 ").contains(" Drained "));
    }

    @Test
    void drainEndsWithoutFailoverFalseReplicasAndTimesOutNamingWhatIsLeft() throws Exception {
        liveHost("hb1");
        apply(StackYaml.stack("db").service("httpd").with("failover: false").yaml());
        assign("db", List.of(new Assignment("httpd", 1, "hb1")), List.of());
        CliRun pinned = etcd.cli("drain", "host", "hb1", "--timeout", "1s", "--poll", "100ms");
        assertEquals(0, pinned.exit(), pinned.out() + pinned.err());
        assertTrue(pinned.out().contains("hb1: drained except 1 replica that stay: db/httpd-1 (failover: false, stays:"
                + " host-local data)"), pinned.out());

        apply(StackYaml.stack("web").service("httpd").yaml());
        assign("web", List.of(new Assignment("httpd", 1, "hb1")), List.of());
        CliRun run = etcd.cli("drain", "host", "hb1", "--timeout", "1s", "--poll", "100ms");
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("hb1: 2 replicas left: db/httpd-1 (failover: false, stays: host-local data),"
                + " web/httpd-1"), run.out());
        assertTrue(run.err().startsWith("error: hb1: not drained after 1s, 2 replicas left:"), run.err());

        CliRun noWait = etcd.cli("drain", "host", "hb1", "--no-wait");
        assertEquals(0, noWait.exit(), noWait.err());
        assertTrue(noWait.out().contains("already draining"), noWait.out());
    }

    @Test
    void rebalanceWritesTheRequestForAKnownStackOnly() throws Exception {
        CliRun missing = etcd.cli("rebalance", "stack", "web");
        assertEquals(1, missing.exit());
        assertEquals("error: stack/web not found\n", missing.err());
        assertTrue(etcd.kv.get(etcd.keys.rebalance("web")).isEmpty());

        apply(StackYaml.stack("web").service("httpd").replicas(3).yaml());
        CliRun run = etcd.cli("rebalance", "stack", "web");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("one at a time"), run.out());
        assertTrue(run.out().contains("berth get stacks web -o wide"), run.out());
        String stored = etcd.kv.get(etcd.keys.rebalance("web")).orElseThrow().value();
        Instant.parse(JSON.readTree(stored).get("requested").asText());
    }

    @Test
    void getStacksIsClusterWideAndRowsOfADeadHostAreUnknown() throws Exception {
        liveHost("hb1");
        liveHost("hb2");
        String seen = downHost("hb3");
        apply(StackYaml.stack("web").service("httpd").replicas(3).yaml());
        apply(StackYaml.stack("api").service("httpd").replicas(1).yaml());
        long rev = revision("web");
        assign("web", List.of(new Assignment("httpd", 1, "hb1"), new Assignment("httpd", 2, "hb2"),
                new Assignment("httpd", 3, "hb3")), List.of());
        report("web", "hb1", rev, running("web", 1));
        report("web", "hb2", rev, running("web", 2));
        report("web", "hb3", rev, running("web", 3));

        CliRun get = etcd.cli("get", "stacks");
        assertEquals(0, get.exit(), get.err());
        assertEquals("NAME   READY   STATUS    AGE", get.out().lines().findFirst().orElseThrow());
        assertTrue(line(get.out(), "web ").matches("web +2/3 +Unknown +\\S+"), get.out());
        assertTrue(line(get.out(), "api ").matches("api +0/1 +Pending +-"), get.out());
        assertEquals(3, get.out().lines().count(), "one row per stack: " + get.out());

        CliRun wide = etcd.cli("get", "stacks", "web", "-o", "wide");
        assertEquals(0, wide.exit(), wide.err());
        String row = line(wide.out(), "web ");
        assertTrue(row.contains("hb1,hb2,hb3(down)") && row.contains("host hb3 down 2m, last seen " + seen), wide.out());
        assertTrue(line(wide.out(), "SERVICE ").matches("SERVICE +REPLICA +HOST +STATE +REASON"), wide.out());
        assertTrue(line(wide.out(), "httpd     web-httpd-1 ").contains(" hb1 ") && line(wide.out(), "httpd     web-httpd-1 ").contains(" running"),
                wide.out());
        String dead = line(wide.out(), "httpd     web-httpd-3 ");
        assertTrue(dead.contains(" hb3 ") && dead.contains("Unknown (host hb3 down 2m, last seen " + seen + ")")
                && dead.contains("last reported running"), wide.out());

        CliRun pending = etcd.cli("get", "stacks", "api", "-o", "wide");
        assertTrue(line(pending.out(), "api ").contains("Scheduling: waiting for the scheduler"), pending.out());

        CliRun describe = etcd.cli("describe", "stack", "web");
        assertEquals(0, describe.exit(), describe.err());
        assertTrue(describe.out().contains("Status:      Unknown, 2/3 running"), describe.out());
        assertTrue(describe.out().contains("Unknown (host hb3 down 2m, last seen " + seen + ")"), describe.out());
        assertTrue(describe.out().contains("  hb3:  observed revision " + rev + ", ready 1/1  Unknown (host hb3 down 2m"),
                describe.out());
    }

    @Test
    void networkRowsOfADeadHostAreUnknown() throws Exception {
        liveHost("hb1");
        String seen = downHost("hb3");
        apply(Manifest.network("back", "vni: 77\nsubnet: 10.77.0.0/16"));
        for (String host : List.of("hb1", "hb3")) {
            etcd.kv.put(etcd.keys.status("network", "back", host), new StatusCodec().write(new ObjectStatus(host, 1,
                    List.of(new Condition(Condition.READY, "True", "Ready", "bridge and vxlan up", "2026-12-01T12:00:00Z")),
                    Map.of(), null, "2026-12-01T12:00:00Z")));
        }
        CliRun get = etcd.cli("get", "networks", "-o", "wide");
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().lines().anyMatch(l -> l.contains(" hb1 ") && l.contains(" Ready ")), get.out());
        String dead = get.out().lines().filter(l -> l.contains(" hb3 ")).findFirst().orElseThrow();
        assertTrue(dead.contains(" Unknown ") && dead.endsWith("host hb3 down 2m, last seen " + seen), get.out());
        CliRun describe = etcd.cli("describe", "network", "back");
        assertTrue(describe.out().contains("  hb3:  Unknown (host hb3 down 2m, last seen " + seen + ")"), describe.out());
    }

    @Test
    void everyNewCommandHasHelp() {
        for (String command : List.of("cordon", "uncordon", "drain", "rebalance")) {
            CliRun help = CliRun.raw(command, "--help");
            assertEquals(0, help.exit(), command);
            assertTrue(help.out().startsWith("Usage: berth " + command), help.out());
        }
        assertTrue(CliRun.raw("drain", "--help").out().contains("--timeout=DURATION"));
        assertTrue(CliRun.raw("--help").out().contains("rebalance"));
    }

    @Test
    void forgetRemovesADownHostFromTheBookAndRefusesALiveOne() throws Exception {
        liveHost("hb1");
        downHost("hb3");
        put(etcd.keys.cordon("hb3"), new dev.berth.operator.schedule.CordonRecord("hb3", false, Instant.now().toString()));
        CliRun live = etcd.cli("forget", "host", "hb1");
        assertEquals(1, live.exit(), live.out());
        assertTrue(live.err().contains("host/hb1 is alive"), live.err());

        CliRun gone = etcd.cli("forget", "host", "hb3");
        assertEquals(0, gone.exit(), gone.err());
        assertTrue(gone.out().startsWith("host/hb3 forgotten"), gone.out());
        assertTrue(etcd.kv.get(etcd.keys.member("hb3")).isEmpty() && etcd.kv.get(etcd.keys.cordon("hb3")).isEmpty());
        assertTrue(!etcd.cli("get", "hosts").out().contains("hb3"));
        assertEquals(1, etcd.cli("forget", "host", "hb3").exit(), "unknown now");
    }
}
