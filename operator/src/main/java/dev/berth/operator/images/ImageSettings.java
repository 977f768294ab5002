package dev.berth.operator.images;

import dev.berth.operator.queue.RetryPolicy;
import java.time.Duration;

/**
 * How the operator pulls and collects images: {@code pullTimeout} bounds one pull (or push); the collector removes
 * images Berth pulled or built that no container used for {@code gcMinAge}, when the disk holding Docker's data is
 * more than {@code gcHighPercent} full, until it is below {@code gcLowPercent} (kubelet's defaults: 85, 80, 2 min),
 * looking every {@code gcInterval}. {@code buildTimeout} bounds one build. {@code pullBackoff} spaces the retries of a
 * failed pull ({@link DockerImagePuller#BACKOFF}; not a command-line option: tests shorten it to see several retries).
 */
public record ImageSettings(Duration pullTimeout, Duration buildTimeout, int gcHighPercent, int gcLowPercent,
                            Duration gcMinAge, Duration gcInterval, RetryPolicy pullBackoff) {
    public ImageSettings {
        java.util.Objects.requireNonNull(pullBackoff, "pullBackoff");
    }

    /** With the default pull backoff. */
    public ImageSettings(Duration pullTimeout, Duration buildTimeout, int gcHighPercent, int gcLowPercent,
                         Duration gcMinAge, Duration gcInterval) {
        this(pullTimeout, buildTimeout, gcHighPercent, gcLowPercent, gcMinAge, gcInterval, DockerImagePuller.BACKOFF);
    }

    public static ImageSettings defaults() {
        return new ImageSettings(Duration.ofMinutes(5), Duration.ofMinutes(30), 85, 80, Duration.ofMinutes(2),
                Duration.ofMinutes(5));
    }

    public ImageSettings withPullBackoff(RetryPolicy value) {
        return new ImageSettings(pullTimeout, buildTimeout, gcHighPercent, gcLowPercent, gcMinAge, gcInterval, value);
    }
}
