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
import org.junit.jupiter.api.Test;

/** Pulled (with the digest) and ImagePullFailed events from pulls of a real registry by a real operator. */
class PulledEventTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

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

            Await.until(WAIT, "Pulled", () -> EventsSeen.first(h, s, "Pulled").isPresent(),
                    () -> EventsSeen.describe(h, s));
            Event pulled = EventsSeen.first(h, s, "Pulled").orElseThrow();
            assertEquals(Event.NORMAL, pulled.type());
            assertEquals("images", pulled.source());
            assertTrue(pulled.message().contains(image) && pulled.message().contains(digest), pulled.message());
            Await.until(WAIT, "ImagePullFailed", () -> EventsSeen.first(h, missing, "ImagePullFailed").isPresent(),
                    () -> EventsSeen.describe(h, missing));
            Event failed = EventsSeen.first(h, missing, "ImagePullFailed").orElseThrow();
            assertEquals(Event.WARNING, failed.type());
            assertTrue(failed.message().startsWith("service web: pulling " + registry.host()), failed.message());
            h.awaitReady(s, 1);
            List<String> order = EventsSeen.of(h, s).stream().map(Event::reason).toList();
            assertTrue(order.indexOf("Pulled") < order.indexOf("Created"), "pulled before created: " + order);
        }
    }
}
