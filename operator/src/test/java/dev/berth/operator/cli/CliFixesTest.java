package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestEnv;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18's "fix while you are here" list: each found by trying the command, each tried again here (real etcd). */
class CliFixesTest {
    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    /** A port nothing listens on: connection refused at once. */
    private static String closedEndpoint() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private void register(String host) {
        etcd.kv.put(etcd.keys.host(host), "{\"name\":\"" + host + "\",\"labels\":{}}");
    }

    private static int lines(String text) {
        return text.isEmpty() ? 0 : text.split("\n").length;
    }

    @Test
    void anEndpointWithoutSchemeWorksAsInEtcdctl() {
        String bare = TestEnv.etcdEndpoints().split(",")[0].replaceFirst("^https?://", "");
        CliRun run = CliRun.raw("get", "stacks", "--etcd-endpoints", bare, "--prefix", etcd.prefix);
        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.err());
    }

    @Test
    void aMalformedEndpointIsOneLine() {
        CliRun run = CliRun.raw("get", "stacks", "--etcd-endpoints", "127.0.0.1:notaport", "--prefix", etcd.prefix);
        assertEquals(1, run.exit(), run.err());
        assertEquals(1, lines(run.err()), run.err());
        assertTrue(run.err().startsWith("error: bad etcd endpoint \"127.0.0.1:notaport\""), run.err());
        CliRun ftp = CliRun.raw("get", "stacks", "--etcd-endpoints", "ftp://127.0.0.1:2379", "--prefix", etcd.prefix);
        assertEquals(1, lines(ftp.err()), ftp.err());
        assertTrue(ftp.err().contains("the scheme must be http or https"), ftp.err());
    }

    @Test
    void diffExitsTwoOnAnErrorAndOneOnlyForChanges(@TempDir Path dir) throws Exception {
        CliRun down = CliRun.raw("diff", "stack", "x", "--host", "h", "--etcd-endpoints", closedEndpoint(),
                "--etcd-timeout", "1");
        assertEquals(2, down.exit(), down.err());
        assertTrue(down.err().startsWith("error: etcd at "), down.err());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: berth.dev/v1\nkind: Stack\nmetadata: {name: x}\nspec: {services: 3}\n");
        assertEquals(2, etcd.cli("diff", "-f", bad.toString()).exit());

        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "apiVersion: berth.dev/v1\nkind: Config\nmetadata: {name: c}\nspec: {data: {a: b}}\n");
        CliRun changes = etcd.cli("diff", "-f", good.toString());
        assertEquals(1, changes.exit(), changes.out() + changes.err());
    }

    @Test
    void diffWithoutHostRefusesWhenSeveralAreRegisteredAndNoneIsThisMachine() throws Exception {
        String a = TestEnv.uniqueName("dha-");
        String b = TestEnv.uniqueName("dhb-");
        register(a);
        register(b);
        CliRun run = etcd.cli("diff", "stack", "nothing", "--docker-host", TestEnv.dockerHost());
        assertEquals(2, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("pass --host NAME") && run.err().contains(a) && run.err().contains(b), run.err());
        assertEquals("", run.out());
    }

    @Test
    void diffWithoutHostPlansForTheOnlyRegisteredHostAndSaysSo() {
        String only = TestEnv.uniqueName("dho-");
        register(only);
        CliRun run = etcd.cli("diff", "stack", "nothing", "--docker-host", TestEnv.dockerHost());
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("planning for host \"" + only + "\""), run.err());
        assertEquals("stack/nothing on " + only + ": nothing to do\n", run.out());
    }

    @Test
    void diffForAnUnregisteredHostWarns() {
        register(TestEnv.uniqueName("dhr-"));
        String ghost = TestEnv.uniqueName("ghost-");
        CliRun run = etcd.cli("diff", "stack", "nothing", "--host", ghost, "--docker-host", TestEnv.dockerHost());
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.err().startsWith("warning: host \"" + ghost + "\" is not registered"), run.err());
        assertEquals(1, lines(run.err()), run.err());
    }

    @Test
    void dashLIsNoLongerTheHostLabel() throws Exception {
        CliRun diff = CliRun.raw("diff", "stack", "x", "-l", "role=web", "--etcd-endpoints", closedEndpoint());
        assertEquals(2, diff.exit(), diff.err());
        assertTrue(diff.err().contains("unknown option \"-l\"") && !diff.err().contains("did you mean"), diff.err());
        CliRun operator = CliRun.raw("operator", "-l", "role=web", "--listen", "not-an-address");
        assertEquals(2, operator.exit(), operator.err());
        assertTrue(operator.err().contains("unknown option \"-l\"") && !operator.err().contains("did you mean"), operator.err());
    }

    @Test
    void anOperatorWhosePortIsTakenSaysSoInOneLine(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            CliRun run = CliRun.raw("operator", "--host", TestEnv.uniqueName("port-"), "--listen", "127.0.0.1:" + port,
                    "--etcd-endpoints", closedEndpoint(), "--docker-host", TestEnv.dockerHost(),
                    "--state-dir", dir.resolve("state").toString(), "--secrets-dir", dir.resolve("secrets").toString());
            assertNotEquals(0, run.exit());
            assertEquals(1, lines(run.err()), run.err());
            assertTrue(run.err().startsWith("error: port " + port + " on 127.0.0.1 is in use: "), run.err());
        }
    }

    @Test
    void applyWarnsOncePerStackAboutPlacementHostsTheClusterDoesNotKnow(@TempDir Path dir) throws Exception {
        String known = TestEnv.uniqueName("kn-");
        register(known);
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: placed
                spec:
                  placement:
                    hosts: [%s, typo-one]
                  services:
                    - name: web
                      image: busybox:1
                    - name: db
                      image: busybox:1
                      placement:
                        hosts: [typo-two]
                """.formatted(known));
        CliRun run = etcd.cli("apply", "-f", file.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(etcd.kv.get(etcd.keys.desired("stack", "placed")).isPresent(), "applied all the same");
        String[] warnings = run.err().lines().filter(l -> l.contains("does not know")).toArray(String[]::new);
        assertEquals(1, warnings.length, run.err());
        assertTrue(warnings[0].startsWith(file + ":7:"), warnings[0]);
        assertTrue(warnings[0].contains("hosts typo-one, typo-two, which the cluster does not know (known: " + known
                + ")"), warnings[0]);

        Files.writeString(file, Files.readString(file).replace("typo-one", known).replace("[typo-two]", "[" + known + "]"));
        CliRun fine = etcd.cli("apply", "-f", file.toString());
        assertEquals(0, fine.exit(), fine.err());
        assertFalse(fine.err().contains("does not know"), fine.err());
    }
}
