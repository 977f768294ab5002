package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestRegistry;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.DockerJavaImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The puller end to end on this host: a real registry (TLS, htpasswd), its login as a Registry Secret in a real etcd,
 * decrypted with a real key file, pulled through the test dockerd.
 */
class DockerImagePullerRegistryTest {
    /** A fresh JVM's first etcd and Docker calls are slow on a loaded machine. */
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final TestRegistry registry = TestRegistry.start();
    private final EtcdFixture etcd = new EtcdFixture();
    private final Path keyFile = ImageBed.keyFile();
    private final SecretKeyring keyring = ImageBed.keyring(keyFile);
    private final DesiredInformer secrets = ImageBed.secrets(etcd);
    private final DockerClient client = DockerClients.connect(TestEnv.dockerHost());
    private final DockerJavaImages images = new DockerJavaImages(client,
            DockerClients.connectForEvents(TestEnv.dockerHost()));
    private final Map<String, String> acquired = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<String> pulled = new ArrayList<>();
    private DockerImagePuller puller;

    @AfterEach
    void close() {
        if (puller != null) {
            puller.close();
        }
        for (String ref : pulled) {
            try {
                client.removeImageCmd(ref).withForce(true).exec();
            } catch (RuntimeException e) {
                // not pulled, or gone already
            }
        }
        secrets.close();
        etcd.close();
        registry.close();
    }

    private DockerImagePuller puller(RetryPolicy backoff) {
        RegistryCredentials credentials = new RegistryCredentials(secrets, new OperatorKeyring(Optional.of(keyFile)));
        puller = new DockerImagePuller(images, credentials, ImageSettings.defaults(), acquired::put, metrics,
                Clock.systemUTC(), backoff);
        return puller;
    }

    private void login(String password) {
        ImageBed.put(etcd, "shop-registry", ImageBed.registrySecret(keyring, "shop-registry", registry.host(),
                registry.username(), password));
    }

    /** A new image, only in the registry (not on the test dockerd): its digest. */
    private String pushNew(String repoAndTag) {
        String digest = registry.pushNew(TestEnv.dockerHost(), repoAndTag);
        pulled.add(registry.host() + "/" + repoAndTag);
        return digest;
    }

    @Test
    void ifNotPresentPullsAnImageOnlyInTheRegistryAndRunsItByThePushedDigest() throws InterruptedException {
        String digest = pushNew("shop/web:1");
        String ref = registry.host() + "/shop/web:1";
        login(registry.password());
        Await.until(WAIT, "the Secret in the cache", () -> secrets.names().contains("shop-registry"));
        DockerImagePuller puller = puller(DockerImagePuller.BACKOFF);

        CountDownLatch done = new CountDownLatch(1);
        ImageState first = puller.resolve(ref, "IfNotPresent", done::countDown);
        assertEquals(new ImageState.InProgress(ImageState.PULLING, "pulling image " + ref), first);
        assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the pull ended");
        ImageState ready = puller.resolve(ref, "IfNotPresent", () -> { });
        assertEquals(new ImageState.Ready(registry.host() + "/shop/web@" + digest), ready);

        String id = images.inspect(ref).orElseThrow().id();
        assertEquals(Map.of(id, ref), acquired, "the pulled image is recorded as Berth's");
        assertEquals(ready, puller.resolve(ref, "IfNotPresent", () -> { }));
        assertEquals(1.0, metrics.get("berth.image.pulls").tag("result", "success").counter().count(),
                "present now: no second pull");
        assertEquals(1, metrics.get("berth.image.pull").timer().count());
    }

    @Test
    void aWrongPasswordFailsUnauthorizedWithGrowingDelaysAndTheFixedSecretRecoversWithoutAnotherPuller()
            throws Exception {
        String digest = pushNew("shop/auth:1");
        String ref = registry.host() + "/shop/auth:1";
        String wrong = "wrong-" + registry.password();
        login(wrong);
        Await.until(WAIT, "the Secret in the cache", () -> secrets.names().contains("shop-registry"));
        // Short delays without jitter so that four attempts fit in a few seconds and their gaps must grow.
        DockerImagePuller puller = puller(new RetryPolicy(Duration.ofMillis(400), 2.0, 0.0, Duration.ofSeconds(20)));

        List<ImageState> seen = new ArrayList<>();
        try (ImageBed.LogCapture log = new ImageBed.LogCapture()) {
            Await.until(WAIT, "four refused pull attempts at the registry", () -> {
                seen.add(puller.resolve(ref, "IfNotPresent", () -> { }));
                return registry.unauthorizedAt().size() >= 4;
            }, () -> registry.unauthorizedAt() + " " + seen.get(seen.size() - 1));
            ImageState.Failed failed = seen.stream().filter(ImageState.Failed.class::isInstance)
                    .map(ImageState.Failed.class::cast).reduce((a, b) -> b).orElseThrow();
            assertEquals(DockerImages.IMAGE_PULL_FAILED, failed.reason());
            assertTrue(failed.message().startsWith("pulling " + ref + ": "), failed.message());
            assertTrue(failed.message().contains("unauthorized: authentication required"), failed.message());

            List<Instant> refused = registry.unauthorizedAt();
            List<Duration> gaps = new ArrayList<>();
            for (int i = 1; i < 4; i++) {
                gaps.add(Duration.between(refused.get(i - 1), refused.get(i)));
            }
            for (int i = 1; i < gaps.size(); i++) {
                assertTrue(gaps.get(i).compareTo(gaps.get(i - 1)) > 0, "the retry delays grow: " + gaps);
            }
            assertTrue(gaps.get(0).compareTo(Duration.ofMillis(350)) >= 0, "no hot loop: " + gaps);

            // The person fixes the Secret: the same puller pulls at its next retry.
            login(registry.password());
            Await.until(WAIT, "Ready after the Secret was fixed",
                    () -> puller.resolve(ref, "IfNotPresent", () -> { }) instanceof ImageState.Ready);
            assertEquals(new ImageState.Ready(registry.host() + "/shop/auth@" + digest),
                    puller.resolve(ref, "IfNotPresent", () -> { }));

            List<String> lines = log.lines();
            assertTrue(lines.stream().anyMatch(l -> l.contains("image " + ref + ": pulling")),
                    "the capture saw the puller's lines: " + lines);
            for (String password : List.of(wrong, registry.password())) {
                for (String line : lines) {
                    assertFalse(line.contains(password), "a password in the log: " + line);
                }
                for (ImageState state : seen) {
                    assertFalse(state.toString().contains(password), "a password in a state: " + state);
                }
                assertFalse(processArguments().contains(password), "a password in a process's arguments");
            }
        }
    }

    @Test
    void aStoppedRegistryIsAFailedPullWithTheConnectionErrorAndARetryTime() throws Exception {
        String ref = registry.host() + "/shop/down:1";
        registry.stop();
        DockerImagePuller puller = puller(DockerImagePuller.BACKOFF);
        CountDownLatch done = new CountDownLatch(1);
        assertInstanceOf(ImageState.InProgress.class, puller.resolve(ref, "Always", done::countDown));
        assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the pull ended");
        ImageState.Failed failed = assertInstanceOf(ImageState.Failed.class, puller.resolve(ref, "Always", () -> { }));
        assertTrue(failed.message().startsWith("pulling " + ref + ": "), failed.message());
        assertTrue(failed.message().contains("connection refused"), failed.message());
        assertTrue(failed.retryAt().isAfter(Instant.now()), "a retry time ahead: " + failed);
    }

    private static String processArguments() throws IOException, InterruptedException {
        Process ps = new ProcessBuilder("ps", "-eo", "args").redirectErrorStream(true).start();
        String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ps.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
