package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets and Configs on a real host: files on a tmpfs with the mode and owner asked for, values nowhere else, a
 * missing Secret reported and recovered from.
 */
class SecretFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final Path keyFile = SecretBed.keyFile();
    private final SecretKeyring keyring = SecretBed.keyring(keyFile);

    @Test
    void aSecretIsAFileOnATmpfsReadableByItsOwnerAndNowhereElse() throws Exception {
        String value = "pw-" + UUID.randomUUID();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Level level = root.getLevel();
        var console = root.getAppender("STDERR");
        // Everything the operator logs, at DEBUG, into the list only (the console would drown the test's output).
        root.addAppender(logs);
        root.detachAppender("STDERR");
        root.setLevel(Level.DEBUG);
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            h.start();
            String secret = h.name("db");
            String stack = h.name("sf");
            h.apply(SecretBed.secret(keyring, secret, Map.of("password", value)));
            h.apply(StackYaml.stack(stack).with("""
                    secrets:
                      - {source: %s, target: /run/secrets/x, mode: "0400", uid: 1000}
                    """.formatted(secret)).yaml());
            h.awaitReady(stack, 1);
            String id = SecretBed.only(h, stack).getId();

            assertEquals("400 1000", SecretBed.exec(h, id, null, "stat", "-c", "%a %u", "/run/secrets/x").strip());
            assertEquals(value, SecretBed.exec(h, id, "1000", "cat", "/run/secrets/x"));
            Path source = SecretBed.mountSource(h, id, "/run/secrets/x");
            assertTrue(source.startsWith(h.stateDir(h.host).resolve("secrets")), source.toString());
            assertEquals("tmpfs", Files.getFileStore(source).type(), "the file is on a tmpfs: " + source);
            assertEquals("tmpfs", Tmpfs.typeAt(h.stateDir(h.host).resolve("secrets")));
            assertFalse(source.toString().contains(value));

            String etcd = SecretBed.etcdDump(h);
            assertTrue(etcd.contains(SecretKeyring.PREFIX), "the Secret is in etcd, encrypted");
            assertFalse(etcd.contains(value), "no plain value anywhere in etcd (objects, status)");
            String raw = SecretBed.etcdctlDump(h);
            assertTrue(raw.contains(SecretKeyring.PREFIX + keyring.newestKeyId()), "etcdctl shows the ciphertext");
            assertFalse(raw.contains(value), "etcdctl shows no plain value");
            assertFalse(SecretBed.inspectJson(h, id).contains(value), "not in docker inspect");
            assertFalse(h.scrape().contains(value), "not in /metrics");
            root.setLevel(level);
            assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("wrote secret files")),
                    "the capture saw the operator's lines");
            assertFalse(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(value)
                    || e.getThrowableProxy() != null && e.getThrowableProxy().getMessage() != null
                    && e.getThrowableProxy().getMessage().contains(value)), "not in the operator's log");
        } finally {
            root.setLevel(level);
            root.detachAppender(logs);
            if (console != null) {
                root.addAppender(console);
            }
        }
    }

    @Test
    void aSecretEnvValueIsInTheContainersEnvironment() throws Exception {
        String value = "tok-" + UUID.randomUUID();
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            h.start();
            String secret = h.name("api");
            String stack = h.name("se");
            h.apply(SecretBed.secret(keyring, secret, Map.of("token", value)));
            h.apply(StackYaml.stack(stack).with("""
                    secretEnv:
                      - {name: API_TOKEN, secretKeyRef: {name: %s, key: token}}
                    """.formatted(secret)).yaml());
            h.awaitReady(stack, 1);
            String id = SecretBed.only(h, stack).getId();
            assertEquals(value, SecretBed.exec(h, id, null, "sh", "-c", "printf %s \"$API_TOKEN\""));
            // Documented as weaker than files: docker inspect shows it.
            assertTrue(SecretBed.inspectJson(h, id).contains("API_TOKEN=" + value));
            assertFalse(SecretBed.etcdDump(h).contains(value), "never in etcd");
        }
    }

    @Test
    void aMissingSecretIsSecretNotFoundUntilItIsCreated() throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            h.start();
            String secret = h.name("later");
            String stack = h.name("mi");
            h.apply(StackYaml.stack(stack).with("""
                    secrets: [{source: %s}]
                    """.formatted(secret)).yaml());
            Await.until(WAIT, stack + " Degraded/SecretNotFound",
                    () -> h.degradedReason(stack).filter("SecretNotFound"::equals).isPresent(), () -> h.describeStatus(stack));
            String message = h.status(stack).flatMap(s -> s.condition("Degraded")).map(c -> c.message()).orElse("");
            assertTrue(message.contains(secret), message);
            assertEquals(0, h.containers(stack).size(), "nothing created");

            String value = "late-" + UUID.randomUUID();
            h.apply(SecretBed.secret(keyring, secret, Map.of("value", value)));
            h.awaitReady(stack, 1);
            assertEquals(value, SecretBed.exec(h, SecretBed.only(h, stack).getId(), null, "cat", "/run/secrets/" + secret));
        }
    }

    @Test
    void diffReportsNoChangeForAConvergedStackUsingSecretsAndConfigs() throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            h.start();
            String secret = h.name("db");
            String config = h.name("conf");
            String stack = h.name("df");
            h.apply(SecretBed.secret(keyring, secret, Map.of("password", "pw")));
            h.apply(SecretBed.config(config, Map.of("a.conf", "a=1")));
            h.apply(StackYaml.stack(stack).with("""
                    secrets: [{source: %s}]
                    configs: [{source: %s, target: /etc/a.conf}]
                    secretEnv: [{name: PW, secretKeyRef: {name: %s, key: password}}]
                    """.formatted(secret, config, secret)).yaml());
            h.awaitReady(stack, 1);
            dev.berth.operator.CliRun diff = h.cli("diff", "stack", stack, "--host", h.host, "--instance", h.instance,
                    "--docker-host", dev.berth.operator.TestEnv.dockerHost());
            assertEquals(0, diff.exit(), diff.out() + diff.err());
            assertTrue(diff.out().contains("nothing to do"), diff.out());
            assertTrue(diff.err().contains("uses Secrets or Configs"), diff.err());
        }
    }
}
