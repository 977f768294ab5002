package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.berth.operator.Await;
import dev.berth.operator.TestEnv;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.reconcilers.docker.BuildRequest;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.DockerJavaImages;
import dev.berth.reconcilers.docker.ImageInfo;
import dev.berth.reconcilers.docker.InstrumentedDocker;
import dev.berth.reconcilers.docker.RegistryAuth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the operator remembers of this host's images, on the real dockerd: a found image costs one inspect until an
 * image changes, and a change made behind the operator's back (a {@code docker rmi}, a {@code docker tag}) reaches it
 * through Docker's event stream within seconds, not after the five-minute net.
 */
class RememberedImagesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final DockerClient client = DockerClients.connect(TestEnv.dockerHost());
    private final String repository = TestEnv.uniqueName("berth-test/remembered-");
    private final String tag = repository + ":1";
    private final CountingImages counted = new CountingImages(new DockerJavaImages(client));
    private final RememberedImages images = new RememberedImages(counted, Clock.systemUTC(), RememberedImages.MAX_AGE);

    @AfterEach
    void removeTags() throws Exception {
        for (String t : List.of(tag, repository + ":2")) {
            try {
                client.removeImageCmd(t).exec(); // a tag of the shared test image: removes the tag only
            } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                // not made, or removed by the test
            }
        }
        client.close();
    }

    @Test
    void aFoundImageIsInspectedOnceAndAMissingOneEveryTime() {
        assertEquals(Optional.empty(), images.inspect(tag));
        assertEquals(Optional.empty(), images.inspect(tag));
        assertEquals(2, counted.inspects.get(), "a missing image is looked for at every question");

        tagTestImage(tag);
        assertTrue(images.inspect(tag).isPresent(), "found as soon as it is there");
        assertTrue(images.inspect(tag).isPresent());
        assertTrue(images.inspect(tag).isPresent());
        assertEquals(3, counted.inspects.get(), "a found image costs one inspect");

        images.tag(images.inspect(tag).orElseThrow().id(), repository, "2");
        assertTrue(images.inspect(tag).isPresent());
        assertEquals(4, counted.inspects.get(), "the operator's own tag forgets what was found");
    }

    @Test
    void aChangeMadeOutsideTheOperatorIsSeenThroughDockersEvents() throws Exception {
        DockerClient events = DockerClients.connectForEvents(TestEnv.dockerHost());
        ObservedCache observed = new ObservedCache(new InstrumentedDocker(client, events, timeout -> client,
                TestEnv.uniqueName("bi")),
                owner -> { }, listed -> { }, new RetryPolicy(Duration.ofMillis(200), 2.0, 0.2, Duration.ofSeconds(2)),
                new SimpleMeterRegistry(), Duration.ofMinutes(10), TestEnv.dockerHost());
        observed.addImageChangeListener(images::forgetAll);
        try {
            observed.start();
            Await.until(WAIT, "the observed cache listed and streaming", () -> observed.synced() && observed.streaming());
            tagTestImage(tag);
            // Found and remembered: a question that reaches no Docker. The tag's own event (and, on a dockerd shared
            // with other tests, theirs) can make it forget in between, so this is waited for.
            Await.until(WAIT, tag + " found and remembered", () -> {
                int asked = counted.inspects.get();
                return images.inspect(tag).isPresent() && counted.inspects.get() == asked;
            });
            int before = counted.inspects.get();

            client.removeImageCmd(tag).exec(); // as `docker rmi` would, behind the operator's back
            Await.until(WAIT, "the removed tag no longer found", () -> images.inspect(tag).isEmpty(),
                    () -> "still remembered after " + (counted.inspects.get() - before) + " inspects");
        } finally {
            observed.close();
            events.close();
        }
    }

    private void tagTestImage(String ref) {
        int colon = ref.lastIndexOf(':');
        client.tagImageCmd(TestEnv.testImage(), ref.substring(0, colon), ref.substring(colon + 1)).exec();
    }

    /** The real images, with the inspects that reached Docker counted. */
    private static final class CountingImages implements DockerImages {
        private final DockerImages docker;
        final AtomicInteger inspects = new AtomicInteger();

        CountingImages(DockerImages docker) {
            this.docker = docker;
        }

        @Override
        public Optional<ImageInfo> inspect(String ref) {
            inspects.incrementAndGet();
            return docker.inspect(ref);
        }

        @Override
        public ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress) {
            return docker.pull(ref, auth, timeout, progress);
        }

        @Override
        public String push(String ref, Optional<RegistryAuth> auth, Duration timeout) {
            return docker.push(ref, auth, timeout);
        }

        @Override
        public String build(BuildRequest request, Consumer<String> output) {
            return docker.build(request, output);
        }

        @Override
        public void tag(String imageId, String repository, String tag) {
            docker.tag(imageId, repository, tag);
        }

        @Override
        public List<ImageInfo> list() {
            return docker.list();
        }

        @Override
        public void remove(String imageId) {
            docker.remove(imageId);
        }
    }
}
