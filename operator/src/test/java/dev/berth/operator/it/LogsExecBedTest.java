package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.cli.BerthMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code berth logs} and {@code berth exec} across two Docker hosts (namespaces, a dockerd each, an operator each
 * with its API on): one stream with the lines of both hosts' containers, {@code -f} picking up containers that
 * start later, and a command run on the host that has the replica, with its exit code.
 */
@RunsOnOwnHosts
class LogsExecBedTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static OverlayTestBed bed;
    private static String stack;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(2);
        for (int i = 0; i < 2; i++) {
            bed.startOperator(bed.hosts.get(i), "lb" + bed.id + "h" + (i + 1), true);
        }
        stack = "lb" + bed.id;
        bed.hosts.get(0).harness.apply(web().yaml());
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, stack + " running on " + name(host), () -> host.harness.isReady(stack, 1),
                    () -> host.harness.describeStatus(stack));
        }
    }

    /** On every host: one container that writes a line and waits. */
    private static StackYaml web() {
        return StackYaml.stack(stack).global().shell("echo web-says-hello; exec sleep 600");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    private static String name(OverlayTestBed.Host host) {
        return host.harness.host;
    }

    private static List<String> etcdOptions() {
        return List.of("--etcd-endpoints=" + bed.etcd.settings.describeEndpoints(), "--prefix=" + bed.etcd.prefix);
    }

    @Test
    void logsOfBothHostsInOneStreamThenFollowAContainerThatStartsLater() throws Exception {
        CliRun all = bed.etcd.cli("logs", "stack/" + stack);
        assertEquals(0, all.exit(), all.err());
        for (OverlayTestBed.Host host : bed.hosts) {
            assertTrue(all.out().contains(name(host) + "/" + stack + "-web-1 | web-says-hello\n"), all.out());
        }

        // -f: the command's output read while it runs; it ends when its thread is interrupted (Ctrl-C).
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BerthMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        AtomicInteger exit = new AtomicInteger(-1);
        List<String> args = new ArrayList<>(List.of("logs", "-f", "stack/" + stack));
        args.addAll(etcdOptions());
        Thread follow = new Thread(() -> exit.set(cli.execute(args.toArray(String[]::new))), "logs-f");
        follow.start();
        try {
            Await.until(WAIT, "-f printing both hosts' lines", () -> bed.hosts.stream().allMatch(h ->
                    out.toString().contains(name(h) + "/" + stack + "-web-1 | web-says-hello")), () -> out + " " + err);
            bed.hosts.get(0).harness.apply(web().service("late").shell("echo late-says-hello; exec sleep 600").yaml());
            Await.until(WAIT, "-f printing the lines of a container that started later", () -> bed.hosts.stream()
                    .allMatch(h -> out.toString().contains(name(h) + "/" + stack + "-late-1 | late-says-hello")),
                    () -> out + " " + err);
        } finally {
            follow.interrupt();
            follow.join(10_000);
        }
        assertEquals(0, exit.get(), err.toString());
        assertEquals("", err.toString());
    }

    @Test
    void execRunsOnTheHostThatHasTheReplica() throws Exception {
        OverlayTestBed.Host second = bed.hosts.get(1);
        List<String> args = new ArrayList<>(List.of("exec"));
        args.addAll(etcdOptions());
        args.addAll(List.of("--host", name(second), "stack/" + stack + "/web/1", "--", "sh", "-c",
                "cat /etc/hostname; echo oops >&2; exit 7"));
        CliRun run = CliRun.raw(args.toArray(String[]::new));
        assertEquals(7, run.exit(), run.out() + run.err());
        assertEquals("oops\n", run.err());
        String containerHostname = run.out().strip();
        // Docker's hostname of a container is the start of its id: the container on that host's dockerd ran it.
        assertTrue(second.harness.running(stack).stream().anyMatch(c -> c.getNames()[0].equals("/" + stack + "-web-1")
                && c.getId().startsWith(containerHostname)), containerHostname);
        assertTrue(bed.hosts.get(0).harness.running(stack).stream().noneMatch(c -> c.getId().startsWith(containerHostname)));
    }
}
