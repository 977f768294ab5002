package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Secret the operator cannot read keeps what runs and says why; fixing the key file recovers without a restart;
 * files no container uses any more leave the host.
 */
class SecretFailuresTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final Path keyFile = SecretBed.keyFile();
    private final SecretKeyring keyring = SecretBed.keyring(keyFile);

    private static String stack(String name, String secret) {
        return StackYaml.stack(name).with("secrets: [{source: " + secret + ", target: /run/secrets/x}]").yaml();
    }

    private static String degradedMessage(TestOperator h, String stack) {
        return h.status(stack).flatMap(s -> s.condition("Degraded")).map(c -> c.message()).orElse("");
    }

    @Test
    void aSecretSealedWithAnotherKeyKeepsWhatRunsUntilTheKeyFileHasThatKey() throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            h.start();
            String secret = h.name("db");
            String s = h.name("und");
            h.apply(SecretBed.secret(keyring, secret, Map.of("password", "first")));
            h.apply(stack(s, secret));
            h.awaitReady(s, 1);
            String running = SecretBed.only(h, s).getId();

            String otherLine = SecretKeyring.newKeyLine();
            SecretKeyring other = SecretBed.keyring(SecretBed.keyFile(otherLine));
            h.apply(SecretBed.secret(other, secret, Map.of("password", "second")));
            Await.until(WAIT, s + " Degraded/SecretUndecryptable",
                    () -> h.degradedReason(s).filter("SecretUndecryptable"::equals).isPresent(), () -> h.describeStatus(s));
            String message = degradedMessage(h, s);
            assertTrue(message.contains(secret) && message.contains("password") && message.contains(other.newestKeyId()),
                    "names the secret, the key and the key id: " + message);
            assertFalse(message.contains("second"), message);
            h.awaitRunning(s, 1);
            assertEquals(running, SecretBed.only(h, s).getId(), "the running container stays");
            assertEquals("first", SecretBed.exec(h, running, null, "cat", "/run/secrets/x"));

            // The other key added to the operator's key file: the next retry decrypts, no restart.
            Files.writeString(keyFile, Files.readString(keyFile) + otherLine + "\n");
            Await.until(WAIT, s + " serving the second value", () -> h.isReady(s, 1)
                    && !SecretBed.only(h, s).getId().equals(running), () -> h.describeStatus(s));
            assertEquals("second", SecretBed.exec(h, SecretBed.only(h, s).getId(), null, "cat", "/run/secrets/x"));
        }
    }

    @Test
    void aMissingSecretHoldsOnlyTheServiceThatUsesIt() throws Exception {
        ch.qos.logback.classic.Logger reconciler = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                dev.berth.operator.control.StackReconciler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        reconciler.addAppender(logs);
        // FuzzTest, in the same JVM, may have turned "dev.berth" down to ERROR: the warning counted here must show.
        ch.qos.logback.classic.Level level = reconciler.getLevel();
        reconciler.setLevel(ch.qos.logback.classic.Level.WARN);
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            h.start();
            String secret = h.name("later");
            String s = h.name("part");
            h.apply(StackYaml.stack(s).service("web").service("db")
                    .with("secrets: [{source: " + secret + ", target: /run/secrets/x}]").yaml());
            // The other service runs although the stack cannot be served whole.
            Await.until(WAIT, s + " web running and Degraded/SecretNotFound",
                    () -> web(h, s).isPresent() && h.degradedReason(s).filter("SecretNotFound"::equals).isPresent(),
                    () -> h.describeStatus(s));
            assertTrue(degradedMessage(h, s).contains(secret), degradedMessage(h, s));
            assertEquals(1, h.containers(s).size(), "nothing of db: " + h.describeStatus(s));
            assertFalse(h.status(s).get().ready(), "db does not run: " + h.describeStatus(s));
            assertEquals(new dev.berth.crds.status.ServiceCount(0, 1), h.status(s).get().services().get("db"),
                    h.describeStatus(s));

            // Still converged while Degraded: a container removed by hand comes back.
            String removed = web(h, s).get();
            h.docker.removeContainerCmd(removed).withForce(true).exec();
            Await.until(WAIT, s + " web recreated", () -> web(h, s).filter(id -> !id.equals(removed)).isPresent(),
                    () -> h.describeStatus(s));

            // Said once while it lasts, however many passes hold db (a hand-removed container is one more pass).
            java.util.List<String> said = logs.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("stack/" + s + ":") && m.contains("kept as they run")).toList();
            assertEquals(1, said.size(), said.toString());

            h.apply(SecretBed.secret(keyring, secret, Map.of("password", "pw")));
            h.awaitReady(s, 2);
            assertTrue(h.degradedReason(s).isEmpty(), h.describeStatus(s));
        } finally {
            reconciler.setLevel(level);
            reconciler.detachAppender(logs);
        }
    }

    /** The id of the stack's running "web" container. */
    private static java.util.Optional<String> web(TestOperator h, String stack) {
        return h.running(stack).stream()
                .filter(c -> "web".equals(c.getLabels().get(dev.berth.reconcilers.labels.BerthLabels.SERVICE)))
                .map(c -> c.getId()).findFirst();
    }

    @Test
    void withoutAKeyFileAStackUsingASecretIsUndecryptableAndNothingIsCreated() throws Exception {
        try (TestOperator h = TestOperator.builder().build()) {
            h.start();
            String secret = h.name("db");
            String s = h.name("nokey");
            h.apply(SecretBed.secret(keyring, secret, Map.of("password", "pw")));
            h.apply(stack(s, secret));
            Await.until(WAIT, s + " Degraded/SecretUndecryptable",
                    () -> h.degradedReason(s).filter("SecretUndecryptable"::equals).isPresent(), () -> h.describeStatus(s));
            assertTrue(degradedMessage(h, s).contains("no secret key file"), degradedMessage(h, s));
            assertEquals(0, h.containers(s).size());
        }
    }

    @Test
    void filesNoContainerUsesLeaveTheHost() throws Exception {
        // A grace shorter than the default 60 s, so the test does not wait a minute for it; still longer than a pass
        // takes from writing the files to creating the container that mounts them.
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).filesGrace(Duration.ofSeconds(10))
                .build()) {
            h.start();
            String secret = h.name("db");
            String s = h.name("gc");
            String kept = h.name("keep");
            h.apply(SecretBed.secret(keyring, secret, Map.of("password", "pw", "user", "u")));
            h.apply(stack(s, secret));
            // Another stack with another mode of the same secret: its files stay.
            h.apply(StackYaml.stack(kept).with("secrets: [{source: " + secret + ", mode: \"0400\"}]").yaml());
            h.awaitReady(s, 1);
            h.awaitReady(kept, 1);
            Path dir = SecretBed.mountSource(h, SecretBed.only(h, s).getId(), "/run/secrets/x");
            Path keptDir = SecretBed.mountSource(h, SecretBed.only(h, kept).getId(), "/run/secrets/" + secret);
            // What collection goes by: Docker's list names each container's bind sources.
            var listed = new dev.berth.reconcilers.docker.InstrumentedDocker(h.docker, h.instance)
                    .listManagedContainerDetails();
            assertTrue(listed.stream().anyMatch(c -> keptDir.toString().equals(c.mounts().get("/run/secrets/" + secret))),
                    listed.toString());
            assertTrue(Files.isDirectory(dir), "two keys: a directory " + dir);
            assertEquals(java.util.Set.of("password", "user"), list(dir));
            assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir)), "the container's user can list it");

            h.delete(s);
            Await.until(Duration.ofSeconds(30), s + " gone", () -> h.containers(s).isEmpty());
            // Beyond the grace (10 s after the files were last used) and the list after it; sooner than the default
            // grace of 60 s could end, so the operator must have been given the shorter one.
            Await.until(Duration.ofSeconds(50), "the unused files removed", () -> !Files.exists(dir.getParent()));
            assertTrue(Files.exists(keptDir), "files a container still uses stay");
        }
    }

    /** As after a reboot: the tmpfs is empty and Docker cannot start the container until the operator is back. */
    @Test
    void anEmptiedTmpfsIsFilledAgainAtTheSamePathsWhenTheOperatorStarts() throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            h.start();
            String secret = h.name("db");
            String s = h.name("boot");
            h.apply(SecretBed.secret(keyring, secret, Map.of("password", "pw")));
            h.apply(stack(s, secret));
            h.awaitReady(s, 1);
            String id = SecretBed.only(h, s).getId();
            Path source = SecretBed.mountSource(h, id, "/run/secrets/x");

            h.stopOperator();
            h.docker.stopContainerCmd(id).withTimeout(1).exec();
            Tmpfs.unmount(h.stateDir(h.host).resolve(HostFiles.SECRETS));
            assertFalse(Files.exists(source));
            org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> h.docker.startContainerCmd(id).exec(), "Docker refuses a missing bind source");

            h.start();
            h.awaitReady(s, 1);
            String again = SecretBed.only(h, s).getId();
            assertEquals(source, SecretBed.mountSource(h, again, "/run/secrets/x"), "the same path (the salt is kept)");
            assertEquals("tmpfs", Tmpfs.typeAt(h.stateDir(h.host).resolve(HostFiles.SECRETS)));
            assertEquals("pw", SecretBed.exec(h, again, null, "cat", "/run/secrets/x"));
        }
    }

    @Test
    void withoutATmpfsSecretsAreRefusedAndNothingIsWritten() throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            // A file where the tmpfs must go: no tmpfs can be mounted there.
            Path secrets = h.stateDir(h.host).resolve(HostFiles.SECRETS);
            Files.createDirectories(secrets.getParent());
            Files.writeString(secrets, "in the way");
            h.start();
            String secret = h.name("db");
            String s = h.name("store");
            h.apply(SecretBed.secret(keyring, secret, Map.of("password", "pw")));
            h.apply(stack(s, secret));
            Await.until(WAIT, s + " Degraded/SecretStoreUnavailable",
                    () -> h.degradedReason(s).filter("SecretStoreUnavailable"::equals).isPresent(), () -> h.describeStatus(s));
            assertTrue(degradedMessage(h, s).contains(secrets.toString()), degradedMessage(h, s));
            assertEquals(0, h.containers(s).size());
            assertEquals("in the way", Files.readString(secrets), "nothing written in its place");

            Files.delete(secrets);
            h.awaitReady(s, 1);
            assertEquals("tmpfs", Tmpfs.typeAt(secrets));
        }
    }

    private static java.util.Set<String> list(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
