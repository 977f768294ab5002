package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.reconcilers.docker.BuildRequest;
import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.ImageInfo;
import dev.berth.reconcilers.docker.RegistryAuth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The puller's rules on a stand-in for Docker (pure: the registry tests use the real one). */
class DockerImagePullerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TAG = "reg.example:5000/shop/web:1";
    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final String OTHER_DIGEST = "sha256:" + "b".repeat(64);
    /** Without jitter, so the retry instants can be checked exactly. */
    private static final RetryPolicy EXACT = new RetryPolicy(Duration.ofSeconds(1), 2.0, 0.0, Duration.ofSeconds(30));

    private final MutableClock clock = new MutableClock();
    private final FakeImages images = new FakeImages();
    private final List<String> acquired = new ArrayList<>();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final DockerImagePuller puller = new DockerImagePuller(images, RegistryCredentials.none(),
            ImageSettings.defaults(), (id, ref) -> acquired.add(id + " " + ref), metrics, clock, EXACT);

    @AfterEach
    void close() {
        puller.close();
    }

    private static ImageInfo image(String id, String... digests) {
        return new ImageInfo(id, List.of(TAG), List.of(digests), Map.of(), 1, Instant.EPOCH);
    }

    /** The first answer of the last {@link #settle}: what a pass saw while the pull ran. */
    private ImageState firstAnswer;

    /**
     * Calls resolve, waits for the pull it started or joined to end, and resolves again. A retry of a failed pull
     * answers with the failure due for retry while it runs.
     */
    private ImageState settle(String ref, String policy) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        ImageState first = puller.resolve(ref, policy, done::countDown);
        firstAnswer = first;
        boolean retried = first instanceof ImageState.Failed f && !clock.instant().isBefore(f.retryAt());
        if (first instanceof ImageState.InProgress || retried) {
            assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the pull of " + ref + " ended");
            return puller.resolve(ref, policy, () -> { });
        }
        return first;
    }

    @Test
    void ifNotPresentRunsTheImageHereByItsRepositoryDigestWithoutPulling() {
        images.present.put(TAG, image("sha256:1", "reg.example:5000/shop/web@" + DIGEST, "other/x@" + OTHER_DIGEST));
        assertEquals(new ImageState.Ready("reg.example:5000/shop/web@" + DIGEST),
                puller.resolve(TAG, "IfNotPresent", () -> { }));
        assertEquals(0, images.pulls.get());
    }

    @Test
    void anImageWithoutARepositoryDigestRunsByTheReferenceAsWritten() {
        images.present.put("local/app:dev", image("sha256:1"));
        assertEquals(new ImageState.Ready("local/app:dev"), puller.resolve("local/app:dev", "IfNotPresent", () -> { }));
    }

    @Test
    void callersDuringAPullJoinItAndAreEachToldOnce() throws InterruptedException {
        images.gate = new CountDownLatch(1);
        images.onPull = ref -> images.present.put(ref, image("sha256:new", "reg.example:5000/shop/web@" + DIGEST));
        AtomicInteger told = new AtomicInteger();
        ImageState first = puller.resolve(TAG, "IfNotPresent", told::incrementAndGet);
        ImageState second = puller.resolve(TAG, "IfNotPresent", told::incrementAndGet);
        assertEquals(new ImageState.InProgress(ImageState.PULLING, "pulling image " + TAG), first);
        assertEquals(first, second);
        images.gate.countDown();
        Await.until(WAIT, "both callers told", () -> told.get() == 2);
        assertEquals(1, images.pulls.get(), "one pull for both callers");
        assertEquals(new ImageState.Ready("reg.example:5000/shop/web@" + DIGEST),
                puller.resolve(TAG, "IfNotPresent", () -> { }));
        assertEquals(List.of("sha256:new " + TAG), acquired, "the pulled image is Berth's to collect");
        assertEquals(1.0, metrics.get("berth.image.pulls").tag("result", "success").counter().count());
    }

    @Test
    void aFailedPullIsNotTriedAgainBeforeItsRetryTimeAndTheDelaysGrowThenResetOnSuccess() throws Exception {
        images.failure = "unauthorized: authentication required";
        Instant start = clock.instant();
        ImageState.Failed failed = assertInstanceOf(ImageState.Failed.class, settle(TAG, "IfNotPresent"));
        assertEquals(DockerImages.IMAGE_PULL_FAILED, failed.reason());
        assertEquals("pulling " + TAG + ": unauthorized: authentication required"
                + " (no Secret of type Registry names reg.example:5000)", failed.message());
        assertEquals(start.plusSeconds(1), failed.retryAt());

        // Before retryAt: the same answer, nothing pulled, whatever the policy.
        clock.advance(Duration.ofMillis(999));
        assertSame(failed, puller.resolve(TAG, "IfNotPresent", () -> { }));
        assertSame(failed, puller.resolve(TAG, "Always", () -> { }));
        assertEquals(1, images.pulls.get());

        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clock.set(failed.retryAt());
            Instant tried = clock.instant();
            ImageState.Failed before = failed;
            failed = assertInstanceOf(ImageState.Failed.class, settle(TAG, "IfNotPresent"));
            // While tried again the stack stays Degraded with the last failure, never Progressing between attempts.
            assertSame(before, firstAnswer);
            delays.add(Duration.between(tried, failed.retryAt()));
        }
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8)), delays);
        assertEquals(4, images.pulls.get());
        assertEquals(4.0, metrics.get("berth.image.pulls").tag("result", "failure").counter().count());

        // A success resets the backoff: the next failure waits a second again.
        images.failure = null;
        images.onPull = ref -> images.present.put(ref, image("sha256:new", "reg.example:5000/shop/web@" + DIGEST));
        clock.set(failed.retryAt());
        assertInstanceOf(ImageState.Ready.class, settle(TAG, "IfNotPresent"));
        images.present.clear();
        images.failure = "manifest unknown";
        clock.advance(Duration.ofMinutes(1));
        Instant tried = clock.instant();
        failed = assertInstanceOf(ImageState.Failed.class, settle(TAG, "IfNotPresent"));
        assertEquals(tried.plusSeconds(1), failed.retryAt());
        assertTrue(failed.message().endsWith(": manifest unknown"), failed.message());
    }

    @Test
    void aRegistryCopyOfAnImageTheHostHoldsUnderAnotherNameIsNotBerths() throws InterruptedException {
        // Someone's own tag of the image the registry serves: the pull brings that very id, which stays theirs.
        images.present.put("mine/app:1", image("sha256:shared"));
        images.onPull = ref -> images.present.put(ref, image("sha256:shared", "reg.example:5000/shop/web@" + DIGEST));
        assertInstanceOf(ImageState.Ready.class, settle(TAG, "IfNotPresent"));
        assertEquals(1, images.pulls.get());
        assertEquals(List.of(), acquired);
    }

    @Test
    void alwaysPullsTheTagAgainButAPullJustEndedAnswersTheCallsThatFollowIt() throws InterruptedException {
        images.present.put(TAG, image("sha256:old", "reg.example:5000/shop/web@" + DIGEST));
        images.onPull = ref -> images.present.put(ref, image("sha256:new", "reg.example:5000/shop/web@" + OTHER_DIGEST));
        images.lines = List.of("Pulling from shop/web", "Digest: " + OTHER_DIGEST,
                "Status: Downloaded newer image for " + TAG);
        assertEquals(new ImageState.Ready("reg.example:5000/shop/web@" + OTHER_DIGEST), settle(TAG, "Always"));
        assertEquals(1, images.pulls.get());
        clock.advance(DockerImagePuller.FRESH_FOR.minusSeconds(1));
        assertEquals(new ImageState.Ready("reg.example:5000/shop/web@" + OTHER_DIGEST),
                puller.resolve(TAG, "Always", () -> { }));
        assertEquals(1, images.pulls.get(), "within the window the pull that just ended is the answer");
        assertEquals(List.of("sha256:new " + TAG), acquired);

        clock.advance(Duration.ofSeconds(2));
        images.lines = List.of("Digest: " + OTHER_DIGEST, "Status: Image is up to date for " + TAG);
        assertInstanceOf(ImageState.Ready.class, settle(TAG, "Always"));
        assertEquals(2, images.pulls.get(), "after the window Always asks the registry again");
        assertEquals(1, acquired.size(), "an image that was up to date was not brought by Berth");
    }

    @Test
    void alwaysWithASinceCountsOnlyAPullStartedSinceThen() throws InterruptedException {
        images.onPull = ref -> images.present.put(ref, image("sha256:new", "reg.example:5000/shop/web@" + DIGEST));
        assertInstanceOf(ImageState.Ready.class, settle(TAG, "Always"));
        assertEquals(1, images.pulls.get());

        // A new question a moment later (a new pin generation): the pull that just ended does not answer it, even
        // inside the freshness window; the pull it starts does, for every later call with that since.
        clock.advance(Duration.ofSeconds(1));
        Instant since = clock.instant();
        images.onPull = ref -> images.present.put(ref, image("sha256:newer", "reg.example:5000/shop/web@" + OTHER_DIGEST));
        CountDownLatch done = new CountDownLatch(1);
        assertInstanceOf(ImageState.InProgress.class, puller.resolve(TAG, "Always", since, done::countDown));
        assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        clock.advance(Duration.ofMinutes(5));
        assertEquals(new ImageState.Ready("reg.example:5000/shop/web@" + OTHER_DIGEST),
                puller.resolve(TAG, "Always", since, () -> { }));
        assertEquals(2, images.pulls.get(), "the answer to that question is kept: no third pull");
    }

    @Test
    void aDigestOnTheHostIsNeverPulledEvenUnderAlways() {
        String pinned = "reg.example:5000/shop/web@" + DIGEST;
        images.present.put(pinned, image("sha256:1", pinned));
        assertEquals(new ImageState.Ready(pinned), puller.resolve(pinned, "Always", () -> { }));
        String tagged = "reg.example:5000/shop/web:1@" + DIGEST;
        images.present.put(tagged, image("sha256:1", pinned));
        assertEquals(new ImageState.Ready(pinned), puller.resolve(tagged, "Always", () -> { }));
        assertEquals(0, images.pulls.get());
    }

    @Test
    void neverDoesNotPull() {
        ImageState.Failed failed = assertInstanceOf(ImageState.Failed.class, puller.resolve(TAG, "Never", () -> { }));
        assertEquals(DockerImagePuller.IMAGE_NOT_FOUND, failed.reason());
        assertTrue(failed.message().contains("imagePullPolicy is Never"), failed.message());
        assertEquals(0, images.pulls.get());
    }

    @Test
    void theDigestThePullReportedWinsAmongSeveralOfOneRepository() {
        ImageInfo two = image("sha256:1", "reg.example:5000/shop/web@" + DIGEST, "reg.example:5000/shop/web@" + OTHER_DIGEST);
        assertEquals("reg.example:5000/shop/web@" + OTHER_DIGEST,
                DockerImagePuller.readyRef(TAG, two, Optional.of(OTHER_DIGEST)));
        assertEquals("reg.example:5000/shop/web@" + DIGEST, DockerImagePuller.readyRef(TAG, two, Optional.empty()));
        assertEquals("nginx@" + DIGEST, DockerImagePuller.readyRef("nginx:1.27",
                new ImageInfo("sha256:1", List.of(), List.of("nginx@" + DIGEST), Map.of(), 1, Instant.EPOCH),
                Optional.empty()));
    }

    /** Docker's images as a map; pulls counted, optionally held at a gate, failing with a registry message. */
    private static final class FakeImages implements DockerImages {
        final Map<String, ImageInfo> present = new ConcurrentHashMap<>();
        final AtomicInteger pulls = new AtomicInteger();
        volatile CountDownLatch gate;
        volatile String failure;
        volatile Consumer<String> onPull = ref -> { };
        volatile List<String> lines = List.of();

        @Override
        public Optional<ImageInfo> inspect(String ref) {
            return Optional.ofNullable(present.get(ref));
        }

        @Override
        public ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress) {
            pulls.incrementAndGet();
            try {
                if (gate != null && !gate.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DockerActionException(IMAGE_PULL_FAILED, "interrupted");
            }
            if (failure != null) {
                throw new DockerActionException(IMAGE_PULL_FAILED, failure);
            }
            lines.forEach(progress);
            onPull.accept(ref);
            return present.get(ref);
        }

        @Override
        public String push(String ref, Optional<RegistryAuth> auth, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String build(BuildRequest request, Consumer<String> output) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void tag(String imageId, String repository, String tag) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ImageInfo> list() {
            return present.values().stream().distinct().toList();
        }

        @Override
        public void remove(String imageId) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
