package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pure: Pulled when a waited-for pull ends, a Warning when an image fails (once per failure). */
class ImageEventsTest {
    private final List<String> seen = new ArrayList<>();
    private final ImageEvents events = new ImageEvents((kind, name, type, reason, message) ->
            seen.add(type + " " + reason + ": " + message));

    @Test
    void aPullThatEndsIsPulledWithTheDigestAndAnImageAlreadyHereIsNothing() {
        events.seen("s", "db", "db:1", new ImageState.Ready("db@sha256:1"));
        events.seen("s", "web", "app:1", new ImageState.InProgress(ImageState.PULLING, "pulling image app:1"));
        events.seen("s", "web", "app:1", new ImageState.Ready("app@sha256:abc"));
        events.seen("s", "web", "app:1", new ImageState.Ready("app@sha256:abc"));
        assertEquals(List.of("Normal Pulled: service web: pulled image app:1 as app@sha256:abc"), seen);
    }

    @Test
    void aFailureIsOneWarningUntilItChanges() {
        Instant retry = Instant.parse("2026-12-02T10:00:00Z");
        events.seen("s", "web", "app:1", new ImageState.Failed("ImagePullFailed", "pulling app:1: denied", retry));
        events.seen("s", "web", "app:1", new ImageState.Failed("ImagePullFailed", "pulling app:1: denied", retry));
        events.seen("s", "web", "app:1", new ImageState.Failed("ImagePullFailed", "pulling app:1: timeout", retry));
        assertEquals(List.of("Warning ImagePullFailed: service web: pulling app:1: denied",
                "Warning ImagePullFailed: service web: pulling app:1: timeout"), seen);
    }

    /** A retry answers with the failure while it runs (the stack stays Degraded): its success is still told. */
    @Test
    void aRetryThatSucceedsIsPulledOrBuilt() {
        Instant retry = Instant.parse("2026-12-02T10:00:00Z");
        events.seen("s", "web", "app:1", new ImageState.Failed("ImagePullFailed", "pulling app:1: timeout", retry));
        events.seen("s", "web", "app:1", new ImageState.Ready("app@sha256:abc"));
        events.seen("s", "api", "s-api", new ImageState.Failed("BuildFailed", "step 2 failed", retry));
        events.seen("s", "api", "s-api", new ImageState.Ready("s-api:b1"));
        events.seen("s", "db", "db:1", new ImageState.Failed("ImageNotFound", "not on this host", retry));
        events.seen("s", "db", "db:1", new ImageState.Ready("db@sha256:1"));
        assertEquals(List.of("Warning ImagePullFailed: service web: pulling app:1: timeout",
                "Normal Pulled: service web: pulled image app:1 as app@sha256:abc",
                "Warning BuildFailed: service api: step 2 failed",
                "Normal Built: service api: built image s-api as s-api:b1",
                "Warning ImageNotFound: service db: not on this host"), seen);
    }

    @Test
    void aFailureWithoutAMessageIsOneWarningAndNeverThrows() {
        Instant retry = Instant.parse("2026-12-02T10:00:00Z");
        assertDoesNotThrow(() -> {
            events.seen("s", "web", "app:1", new ImageState.Failed("ImagePullFailed", null, retry));
            events.seen("s", "web", "app:1", new ImageState.Failed("ImagePullFailed", null, retry));
        });
        assertEquals(List.of("Warning ImagePullFailed: service web: null"), seen);
    }

    @Test
    void onlyServicesOfTheCurrentSpecAndOfStacksStillHereAreRemembered() {
        Instant retry = Instant.parse("2026-12-02T10:00:00Z");
        for (int i = 0; i < 50; i++) {
            events.seen("s", "svc" + i, "app:1", new ImageState.Failed("ImagePullFailed", "denied", retry));
        }
        events.seen("t", "web", "app:1", new ImageState.Ready("app@sha256:1"));
        events.keepOnly("s", Set.of("svc1", "svc2"));
        assertEquals(3, events.remembered());
        // A service that left the spec and comes back fails again: that is news, not a repeat.
        events.seen("s", "svc7", "app:1", new ImageState.Failed("ImagePullFailed", "denied", retry));
        assertEquals(51, seen.size());
        events.forget("s");
        events.forget("t");
        assertEquals(0, events.remembered());
    }
}
