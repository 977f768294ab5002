package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestRegistry;
import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.DockerJavaImages;
import dev.berth.reconcilers.docker.ImageInfo;
import dev.berth.reconcilers.docker.RegistryAuth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pull, push, tag and inspect against a real registry (TLS, htpasswd) through the test dockerd. */
class DockerJavaImagesRegistryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static TestRegistry registry;
    private static DockerClient client;
    private static DockerJavaImages images;
    private static final List<String> cleanup = new ArrayList<>();

    @BeforeAll
    static void start() {
        registry = TestRegistry.start();
        client = DockerClients.connect(TestEnv.dockerHost());
        images = new DockerJavaImages(client, DockerClients.connectForEvents(TestEnv.dockerHost()));
    }

    @AfterAll
    static void stop() {
        for (String ref : cleanup) {
            try {
                client.removeImageCmd(ref).withForce(true).exec();
            } catch (RuntimeException e) {
                // gone already
            }
        }
        registry.close();
    }

    private static Optional<RegistryAuth> login(String password) {
        return Optional.of(new RegistryAuth(registry.host(), registry.username(), password));
    }

    /** A new image pushed as {@code repo:tag}, not on the test dockerd by that name; removed after the class. */
    private static String pushed(String repoAndTag) {
        String digest = registry.pushNew(TestEnv.dockerHost(), repoAndTag);
        cleanup.add(registry.host() + "/" + repoAndTag);
        return digest;
    }

    @Test
    void theRightLoginPullsAnImageOnlyInTheRegistryWithItsDigestAndProgress() {
        String digest = pushed("pull/right:1");
        String ref = registry.host() + "/pull/right:1";
        assertTrue(images.inspect(ref).isEmpty(), "not on the host before the pull");
        List<String> progress = new ArrayList<>();
        ImageInfo pulled = images.pull(ref, login(registry.password()), TIMEOUT, progress::add);
        assertTrue(pulled.repoDigests().contains(registry.host() + "/pull/right@" + digest), pulled.toString());
        assertTrue(pulled.repoTags().contains(ref), pulled.toString());
        assertEquals(Optional.of(digest), DockerJavaImages.digestFor(pulled, registry.host() + "/pull/right"));
        assertTrue(progress.contains("Digest: " + digest), progress.toString());
        assertEquals(pulled.id(), images.inspect(ref).orElseThrow().id());
        // The digest form, and the form with both tag and digest, name the same image.
        assertEquals(pulled.id(), images.inspect(registry.host() + "/pull/right@" + digest).orElseThrow().id());
        assertEquals(pulled.id(), images.pull(ref + "@" + digest, login(registry.password()), TIMEOUT, l -> { }).id());
    }

    @Test
    void aWrongPasswordIsTheRegistrysUnauthorizedAndNoLoginFailsToo() {
        pushed("pull/wrong:1");
        String ref = registry.host() + "/pull/wrong:1";
        String wrong = "not-" + registry.password();
        DockerActionException e = assertThrows(DockerActionException.class,
                () -> images.pull(ref, login(wrong), TIMEOUT, l -> { }));
        assertEquals(DockerImages.IMAGE_PULL_FAILED, e.reason());
        assertTrue(e.getMessage().contains("unauthorized: authentication required"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), "no password in the message");
        assertFalse(String.valueOf(e.getCause()).contains(wrong), "nor in its cause");

        DockerActionException anonymous = assertThrows(DockerActionException.class,
                () -> images.pull(ref, Optional.empty(), TIMEOUT, l -> { }));
        assertEquals(DockerImages.IMAGE_PULL_FAILED, anonymous.reason());
        assertTrue(images.inspect(ref).isEmpty());
    }

    @Test
    void aTagTheRegistryDoesNotHaveIsManifestUnknown() {
        DockerActionException e = assertThrows(DockerActionException.class,
                () -> images.pull(registry.host() + "/pull/none:1", login(registry.password()), TIMEOUT, l -> { }));
        assertEquals(DockerImages.IMAGE_PULL_FAILED, e.reason());
        assertTrue(e.getMessage().contains("manifest unknown") || e.getMessage().contains("not found"),
                e.getMessage());
    }

    @Test
    void pushReturnsTheDigestTheRegistryStoredAndTagNamesAnImage() {
        String local = registry.host() + "/push/own:1";
        String id = images.inspect(TestEnv.testImage()).orElseThrow().id();
        images.tag(id, registry.host() + "/push/own", "1");
        cleanup.add(local);
        assertEquals(id, images.inspect(local).orElseThrow().id());
        String digest = images.push(local, login(registry.password()), TIMEOUT);
        assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
        assertEquals(Optional.of(digest), DockerJavaImages.digestFor(images.inspect(local).orElseThrow(),
                registry.host() + "/push/own"));

        DockerActionException e = assertThrows(DockerActionException.class,
                () -> images.push(local, login("not-" + registry.password()), TIMEOUT));
        assertEquals(DockerImages.IMAGE_PUSH_FAILED, e.reason());
        assertTrue(e.getMessage().contains("unauthorized"), e.getMessage());
    }

    @Test
    void aStoppedRegistryIsAConnectionErrorAndATinyTimeoutIsATimeout() {
        TestRegistry other = TestRegistry.start();
        try {
            String ref = other.host() + "/gone/app:1";
            other.stop();
            DockerActionException e = assertThrows(DockerActionException.class,
                    () -> images.pull(ref, Optional.of(new RegistryAuth(other.host(), other.username(),
                            other.password())), TIMEOUT, l -> { }));
            assertEquals(DockerImages.IMAGE_PULL_FAILED, e.reason());
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        } finally {
            other.close();
        }
        DockerActionException slow = assertThrows(DockerActionException.class,
                () -> images.pull(registry.host() + "/pull/none:2", login(registry.password()), Duration.ofMillis(1),
                        l -> { }));
        assertEquals(DockerImages.IMAGE_PULL_FAILED, slow.reason());
        assertTrue(slow.getMessage().startsWith("pull timed out after"), slow.getMessage());
    }
}
