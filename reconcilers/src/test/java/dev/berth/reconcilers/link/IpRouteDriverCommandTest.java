package dev.berth.reconcilers.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which commands the driver runs, with a recording runner instead of iproute2. */
class IpRouteDriverCommandTest {
    private final List<List<String>> ran = new ArrayList<>();
    private final List<String> stdins = new ArrayList<>();

    private CommandRunner recording(CommandRunner.CommandResult result) {
        return (argv, stdin, timeout) -> {
            // The driver runs its three reads side by side.
            synchronized (ran) {
                ran.add(argv);
                stdins.add(stdin);
            }
            assertEquals(Duration.ofSeconds(10), timeout);
            return result;
        };
    }

    private static final List<LinkAction> PASS = List.of(
            new LinkAction.CreateVxlan(new VxlanDevice("bv42", 42, "10.0.0.1", 4789, 1450, "bb1", true, "berth:a")),
            new LinkAction.AppendFdb(FdbEntry.flood("bv42", "10.0.0.2")));

    @Test
    void everyCommandTargetsTheNamespace() {
        IpRouteDriver d = new IpRouteDriver(Optional.of("bltabc123"),
                recording(new CommandRunner.CommandResult(0, "[]", "")), IpRouteDriver.COMMAND_TIMEOUT);
        d.read();
        d.apply(PASS);
        assertEquals(java.util.Set.of(
                List.of("ip", "-n", "bltabc123", "-j", "-d", "link", "show"),
                List.of("bridge", "-n", "bltabc123", "-j", "fdb", "show"),
                List.of("ip", "-n", "bltabc123", "-j", "neigh", "show", "nud", "permanent")), java.util.Set.copyOf(ran.subList(0, 3)));
        assertEquals(List.of(
                List.of("ip", "-n", "bltabc123", "-batch", "-"),
                List.of("bridge", "-n", "bltabc123", "-batch", "-")), ran.subList(3, ran.size()));
        assertTrue(stdins.get(4).startsWith("fdb append 00:00:00:00:00:00 dev bv42 dst 10.0.0.2 self permanent"));
    }

    @Test
    void withoutNamespaceNoNamespaceFlag() {
        IpRouteDriver d = new IpRouteDriver(Optional.empty(),
                recording(new CommandRunner.CommandResult(0, "[]", "")), IpRouteDriver.COMMAND_TIMEOUT);
        d.read();
        assertTrue(ran.stream().noneMatch(a -> a.contains("-n")));
    }

    @Test
    void emptyPassRunsNothing() {
        IpRouteDriver d = new IpRouteDriver(Optional.empty(),
                recording(new CommandRunner.CommandResult(0, "", "")), IpRouteDriver.COMMAND_TIMEOUT);
        d.apply(List.of());
        assertEquals(List.of(), ran);
    }

    @Test
    void failedIpBatchStopsBeforeTheBridgeBatch() {
        IpRouteDriver d = new IpRouteDriver(Optional.empty(), recording(new CommandRunner.CommandResult(1, "",
                "Cannot find device \"bb1\"\nCommand failed -:4\n")), IpRouteDriver.COMMAND_TIMEOUT);
        LinkActionException e = assertThrows(LinkActionException.class, () -> d.apply(PASS));
        assertEquals(PASS.get(0), e.action());
        assertTrue(e.getMessage().contains("Cannot find device \"bb1\""), e.getMessage());
        assertEquals(1, ran.size());
    }

    @Test
    void unnamedFailureAndReadFailureAreDriverErrors() {
        IpRouteDriver d = new IpRouteDriver(Optional.empty(),
                recording(new CommandRunner.CommandResult(1, "", "Object \"fdb\" is unknown\n")),
                IpRouteDriver.COMMAND_TIMEOUT);
        LinkDriverException e = assertThrows(LinkDriverException.class,
                () -> d.apply(List.of(new LinkAction.AppendFdb(FdbEntry.flood("bv42", "10.0.0.2")))));
        assertFalse(e instanceof LinkActionException);
        assertThrows(LinkDriverException.class, d::read);
    }

    @Test
    void badNamespaceNameIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IpRouteDriver(Optional.of("../x")));
    }

    @Test
    void processRunnerTimesOut() {
        CommandRunner r = new ProcessCommandRunner();
        LinkDriverException e = assertThrows(LinkDriverException.class,
                () -> r.run(List.of("sleep", "5"), "", Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals("hi\n", r.run(List.of("cat"), "hi\n", Duration.ofSeconds(5)).stdout());
    }
}
