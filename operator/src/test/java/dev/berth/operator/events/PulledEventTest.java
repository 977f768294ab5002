package dev.berth.operator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.TestRegistry;
import dev.berth.operator.secrets.SecretKeyring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pulled (with the digest) and ImagePullFailed events from pulls of a real registry by a real operator. */
class PulledEventTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static Optional<Event> event(TestOperator h, String stack, String reason) {
        return new EventReader(h.etcd.kv, h.keys()).list("stack", stack).events().stream()
                .map(EventReader.Listed::event).filter(e -> e.reason().equals(reason)).findFirst();
    }

    private static String all(TestOperator h, String stack) {
        return new EventReader(h.etcd.kv, h.keys()).list("stack", stack).events().stream()
                .map(l -> l.event().reason() + ": " + l.event().message()).toList().toString();
    }

    @Test
    void aPullIsPulledWithItsDigestAndARefusedOneIsAWarning() throws Exception {
        Path keyFile = Files.createTempFile("berth-key-", ".txt",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, SecretKeyring.newKeyLine() + "\n");
        SecretKeyring keyring = SecretKeyring.load(keyFile);
        try (TestRegistry registry = TestRegistry.start()) {
            try {
                pullAndFail(registry, keyring, keyFile);
            } finally {
                // By name, after the operator removed its containers: the test image keeps its own name.
                registry.removeLocalImages(TestEnv.dockerHost());
            }
        } finally {
            Files.deleteIfExists(keyFile);
        }
    }

    private static void pullAndFail(TestRegistry registry, SecretKeyring keyring, Path keyFile) throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            String repo = TestEnv.uniqueName("evpull");
            String digest = registry.push(h.dockerHost, TestEnv.testImage(), repo + ":1");
            String image = registry.host() + "/" + repo + ":1";
            h.start();
            String secret = h.name("reg");
            h.apply(Manifest.of("Secret", secret, """
                    type: Registry
                    registry: "%s"
                    encryptedData:
                      username: "%s"
                      password: "%s"
                    """.formatted(registry.host(),
                    keyring.encrypt(secret, "username", registry.username().getBytes(StandardCharsets.UTF_8)),
                    keyring.encrypt(secret, "password", registry.password().getBytes(StandardCharsets.UTF_8)))));
            String s = h.name("pulled");
            h.apply(StackYaml.stack(s).image(image).yaml());
            String missing = h.name("nopull");
            h.apply(StackYaml.stack(missing).image(registry.host() + "/" + repo + ":absent").yaml());

            Await.until(WAIT, "Pulled", () -> event(h, s, "Pulled").isPresent(), () -> all(h, s));
            Event pulled = event(h, s, "Pulled").orElseThrow();
            assertEquals(Event.NORMAL, pulled.type());
            assertEquals("images", pulled.source());
            assertTrue(pulled.message().contains(image) && pulled.message().contains(digest), pulled.message());
            Await.until(WAIT, "ImagePullFailed", () -> event(h, missing, "ImagePullFailed").isPresent(),
                    () -> all(h, missing));
            Event failed = event(h, missing, "ImagePullFailed").orElseThrow();
            assertEquals(Event.WARNING, failed.type());
            assertTrue(failed.message().startsWith("service web: pulling " + registry.host()), failed.message());
            h.awaitReady(s, 1);
            List<String> order = new EventReader(h.etcd.kv, h.keys()).list("stack", s).events().stream()
                    .map(l -> l.event().reason()).toList();
            assertTrue(order.indexOf("Pulled") < order.indexOf("Created"), "pulled before created: " + order);
        }
    }
}
