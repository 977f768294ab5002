package dev.berth.operator.reliability;

import dev.berth.operator.FreePorts;
import static dev.berth.operator.reliability.CliFlags.cli;
import static dev.berth.operator.reliability.CliFlags.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Suite item 7 and defect 6: an etcd with TLS (certificates made by the test), client certificates required and
 * authentication on, a {@code berth} user whose role covers only Berth's prefix. The CLI and operators work with it;
 * every wrong setting gives one clear line naming the file or the credential and exit 1 within a few seconds; no
 * password reaches a log or a process's arguments; an operator refused at start exits 1, one refused later keeps
 * running, not ready, and warns once a minute.
 */
@RunsInTheFaultLane
class EtcdSecurityTest {
    /** "Within a few seconds": a refusal must not wait for a timeout. */
    private static final Duration FEW_SECONDS = Duration.ofSeconds(5);
    private static SecureEtcd etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = new SecureEtcd().start();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static List<String> tls() {
        return List.of("--etcd-endpoints=" + etcd.endpoint(), "--prefix=" + etcd.prefix,
                "--etcd-cacert=" + etcd.certs.ca, "--etcd-cert=" + etcd.certs.clientCert, "--etcd-key=" + etcd.certs.clientKey);
    }

    private static List<String> berth() {
        List<String> all = new ArrayList<>(tls());
        all.addAll(List.of("--etcd-user=" + SecureEtcd.BERTH_USER, "--etcd-password-file=" + etcd.berthPassword));
        return all;
    }


    @Test
    void theCliAndAnOperatorWorkWithTlsAndThePrefixLimitedUser() throws Exception {
        try (EtcdFixture fixture = new EtcdFixture(etcd.berthSettings(), etcd.prefix);
             TestOperator h = TestOperator.builder().etcd(fixture).build()) {
            h.start();
            String s = h.name("sec");
            Path manifest = Files.createTempFile("berth-sec-", ".yaml");
            try {
                Files.writeString(manifest, StackYaml.stack(s).replicas(1).yaml());
                CliRun apply = cli(berth(), "apply", "-f", manifest.toString());
                assertEquals(0, apply.exit(), apply.err());
            } finally {
                Files.deleteIfExists(manifest);
            }
            h.awaitReady(s, 1);
            CliRun get = cli(berth(), "get", "stacks");
            assertEquals(0, get.exit(), get.err());
            assertTrue(get.out().contains(s), get.out());
            assertEquals(200, h.http("/readyz").statusCode(), h.http("/readyz").body());
            // The role ends at the prefix: the same user cannot write a key beside it.
            CliRun outside = cli(replace(berth(), "--prefix", "/not-berths"), "get", "stacks");
            assertEquals(1, outside.exit(), outside.err());
            assertTrue(outside.err().contains("denied user 'berth'"), outside.err());
        }
    }

    /** One wrong setting, the words its line must hold, and what must not be in it. */
    private record Case(String name, List<String> flags, String expected) {
    }

    private static List<Case> cases() throws IOException {
        TestCertificates c = etcd.certs;
        Path wrong = etcd.secretFile("wrong-password", "not-the-password");
        Path empty = etcd.secretFile("empty-password", "");
        return List.of(
                new Case("wrong password", replace(berth(), "--etcd-password-file", wrong.toString()),
                        "refused user 'berth': wrong user name or password"),
                new Case("empty password", replace(berth(), "--etcd-password-file", empty.toString()),
                        "etcd password file " + empty + " is empty"),
                new Case("user without a password", replace(berth(), "--etcd-password-file", null),
                        "etcd user 'berth' needs a password"),
                new Case("user without rights", replace(replace(berth(), "--etcd-user", SecureEtcd.NOBODY),
                        "--etcd-password-file", etcd.nobodyPassword.toString()), "denied user 'nobody'"),
                new Case("missing CA", replace(berth(), "--etcd-cacert", null),
                        "not signed by a CA this JVM trusts"),
                new Case("another CA", replace(berth(), "--etcd-cacert", c.foreignCa.toString()),
                        "not signed by the CA in " + c.foreignCa),
                new Case("CA file not a certificate", replace(berth(), "--etcd-cacert", "/etc/hostname"),
                        "etcd CA file /etc/hostname holds no PEM certificate"),
                new Case("CA file missing", replace(berth(), "--etcd-cacert", c.dir.resolve("nope.pem").toString()),
                        "etcd CA file " + c.dir.resolve("nope.pem") + " does not exist"),
                new Case("encrypted key", replace(berth(), "--etcd-key", c.clientKeyEncrypted.toString()),
                        "etcd client key " + c.clientKeyEncrypted + " is encrypted"),
                new Case("key not a key", replace(berth(), "--etcd-key", "/etc/hostname"),
                        "etcd client key /etc/hostname holds no PEM private key"),
                new Case("cert/key mismatch", replace(berth(), "--etcd-key", c.otherKey.toString()),
                        "etcd client key " + c.otherKey + " does not belong to the certificate in " + c.clientCert),
                new Case("expired certificate", replace(replace(berth(), "--etcd-cert", c.expiredClientCert.toString()),
                        "--etcd-key", c.expiredClientKey.toString()),
                        "etcd client certificate " + c.expiredClientCert + " expired on"),
                new Case("no client certificate", replace(replace(berth(), "--etcd-cert", null), "--etcd-key", null),
                        "requires a client certificate"),
                new Case("certificate without key", replace(berth(), "--etcd-key", null),
                        "etcd client certificate " + c.clientCert + " is given without its key"));
    }

    @Test
    void everyWrongSettingIsOneClearLineAndExitOneWithinSeconds() throws Exception {
        List<Case> cases = cases();
        List<String> unclear = new ArrayList<>();
        long slowest = 0;
        int leaked = 0;
        String berthPassword = etcd.password(etcd.berthPassword);
        try {
            // the first connection of this JVM loads TLS and gRPC: not a refusal's time
            assertEquals(0, cli(berth(), "get", "stacks").exit());
            for (Case c : cases) {
                long start = System.nanoTime();
                CliRun run = cli(c.flags(), "get", "stacks");
                long millis = (System.nanoTime() - start) / 1_000_000;
                slowest = Math.max(slowest, millis);
                String err = run.err().strip();
                boolean clear = run.exit() == 1 && err.lines().count() == 1 && err.startsWith("error: ")
                        && err.contains(c.expected()) && millis < FEW_SECONDS.toMillis();
                if (!clear) {
                    unclear.add(c.name() + " (exit " + run.exit() + ", " + millis + " ms): " + err.replace('\n', '|'));
                }
                if (run.err().contains(berthPassword) || run.out().contains(berthPassword)) {
                    leaked++;
                }
            }
        } finally {
            Figures.ofRun().record(new Figure("etcd TLS/auth errors", cases.size(), unclear.size(),
                    "cases " + cases.size() + " / one clear line + exit 1: " + (cases.size() - unclear.size())
                            + " / slowest " + String.format(java.util.Locale.ROOT, "%.1f", slowest / 1000.0)
                            + " s / secrets leaked " + leaked));
        }
        assertEquals(List.of(), unclear);
        assertEquals(0, leaked);
    }

    @Test
    void anOperatorRefusedAtStartExitsOneWithTheLine() throws Exception {
        Path wrong = etcd.secretFile("wrong-operator-password", "not-the-password");
        List<String> flags = replace(berth(), "--etcd-password-file", wrong.toString());
        Path state = Files.createTempDirectory("berth-sec-state");
        List<String> command = new ArrayList<>(List.of("operator", "--host", "refused", "--instance", "refused-sec",
                "--docker-host", dev.berth.operator.TestEnv.dockerHost(), "--listen", "127.0.0.1:0", "--api-off",
                "--state-dir", state.toString()));
        command.addAll(flags);
        // the first connection of this JVM loads TLS and gRPC: not the refusal's time
        assertEquals(0, cli(berth(), "get", "stacks").exit());
        long start = System.nanoTime();
        // bounded: an operator that takes the refusal for an outage runs on (and is interrupted here)
        CliRun run = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> CliRun.raw(command.toArray(String[]::new)), "the refused operator did not exit");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, run.exit(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("refused user 'berth': wrong user name or password"), run.err());
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        // the operator sets up its metrics and Docker clients first; the refusal itself is not waited out
        assertTrue(millis < 15_000, millis + " ms");
    }

    @Test
    void aRealOperatorKeepsItsPasswordSecretAndWarnsOnceAMinuteWhenRefusedLater() throws Exception {
        try (EtcdFixture fixture = new EtcdFixture(etcd.berthSettings(), etcd.prefix);
             TestOperator h = TestOperator.builder().etcd(fixture).build()) {
            int port = FreePorts.one();
            String host = h.name("proc");
            Path log = Files.createTempFile("berth-sec-operator-", ".log");
            List<String> options = new ArrayList<>(tls());
            options.removeIf(o -> o.startsWith("--etcd-endpoints") || o.startsWith("--prefix"));
            // a resync every 2 s: every informer re-lists, and is refused, many times within the window below
            options.addAll(List.of("--etcd-user", SecureEtcd.BERTH_USER, "--listen", "127.0.0.1:" + port, "--resync", "2"));
            ProcessBuilder builder = new ProcessBuilder(h.processCommand(host, List.of(), options.toArray(String[]::new)))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            // the documented way: the password in a file named by the environment, never an argument
            builder.environment().put("BERTH_ETCD_PASSWORD_FILE", etcd.berthPassword.toString());
            // the process runs on the test classpath, whose logback-test.xml logs WARN and up unless told otherwise;
            // the line that etcd accepts the operator again is INFO
            builder.environment().put("BERTH_TEST_LOG", "INFO");
            Process operator = builder.start();
            String password = etcd.password(etcd.berthPassword);
            try {
                // a JVM of its own on a machine shared by many builds: its start alone can take half a minute
                Await.until(Duration.ofSeconds(150), "the operator ready", () -> ready(port) == 200,
                        () -> tail(log));
                String cmdline = Files.readString(Path.of("/proc/" + operator.pid() + "/cmdline")).replace('\0', ' ');
                assertFalse(cmdline.contains(password), "password in the operator's arguments");

                etcd.rootIdempotent("user", "revoke-role", SecureEtcd.BERTH_USER, "berth-prefix");
                Await.until(Duration.ofSeconds(30), "/readyz failing", () -> ready(port) == 503, () -> tail(log));
                long warningsBefore = warnings(log);
                // 20 s of refusals: one warning then (the first), none more within the minute
                Thread.sleep(20_000);
                long warnings = warnings(log) - warningsBefore;
                assertTrue(operator.isAlive(), "a refusal after start is retried, not fatal");
                etcd.rootIdempotent("user", "grant-role", SecureEtcd.BERTH_USER, "berth-prefix");
                Await.until(Duration.ofSeconds(60), "ready again", () -> ready(port) == 200, () -> tail(log));
                Await.until(Duration.ofSeconds(30), "the operator saying so", () -> {
                    try {
                        return Files.readString(log).contains("etcd: accepts this operator again");
                    } catch (IOException e) {
                        return false;
                    }
                }, () -> tail(log));
                assertTrue(warnings <= 1, warnings + " warnings in 20 s: " + tail(log));
                assertFalse(Files.readString(log).contains(password), "password in the operator's log");
            } finally {
                // the other tests need the role back, whatever failed above
                etcd.rootIdempotent("user", "grant-role", SecureEtcd.BERTH_USER, "berth-prefix");
                operator.destroy();
                if (!operator.waitFor(20, TimeUnit.SECONDS)) {
                    operator.destroyForcibly().waitFor();
                }
                Files.deleteIfExists(log);
            }
        }
    }

    private static long warnings(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains("WARN")).count();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int ready(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
