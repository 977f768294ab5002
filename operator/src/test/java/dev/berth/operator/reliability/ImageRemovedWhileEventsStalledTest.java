package dev.berth.operator.reliability;

import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The operator remembers which images are on its host until Docker reports an image event. With the event stream
 * stalled, an image removed by hand is not reported; the container create that then finds it missing must make the
 * operator forget, so the next pass looks again and pulls, instead of failing with ImageNotFound for the five minutes
 * the memory lasts. The image's registry is a closed port on loopback, so the pull fails at once, and says so.
 */
class ImageRemovedWhileEventsStalledTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aCreateThatFindsTheImageGoneMakesTheOperatorLookAgain() throws Exception {
        try (DockerFaultsRelay relay = new DockerFaultsRelay(TestEnv.dockerHost());
             TestOperator h = TestOperator.builder().dockerHost(relay.dockerHost()).resync(Duration.ofSeconds(2))
                     .build()) {
            String repository = "127.0.0.1:1/" + h.instance + "-gone";
            h.docker.tagImageCmd(TestEnv.testImage(), repository, "1").exec();
            try {
                h.start();
                String s = h.name("img");
                h.apply(StackYaml.stack(s).image(repository + ":1").yaml());
                h.awaitReady(s, 1);

                relay.stallEvents();
                h.docker.removeImageCmd(repository + ":1").exec(); // the tag only: the image has others
                h.docker.removeContainerCmd(h.running(s).get(0).getId()).withForce(true).exec();
                // Remembered as present, the image is not looked for: the create fails with ImageNotFound. That
                // failure must make the operator look again, find it gone and try to pull it.
                Await.until(WAIT, s + " Degraded because the pull failed",
                        () -> h.degradedReason(s).equals(Optional.of("ImagePullFailed")),
                        () -> h.describeStatus(s));
            } finally {
                relay.allowEvents();
                try {
                    h.docker.removeImageCmd(repository + ":1").exec();
                } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                    // removed by the test
                }
            }
        }
    }
}
