package dev.berth.operator.images;

import java.time.Instant;

/**
 * Where a service's image stands on this host in a pass: ready to run ({@code ref}), being pulled or built (the
 * service is held, the stack Progressing with reason Pulling or Building), or failed (held, Degraded with
 * ImagePullFailed or BuildFailed and the registry's or the build's message; tried again at {@code retryAt}).
 */
public sealed interface ImageState {
    String PULLING = "Pulling";
    String BUILDING = "Building";

    record Ready(String ref) implements ImageState {
    }

    record InProgress(String reason, String message) implements ImageState {
    }

    record Failed(String reason, String message, Instant retryAt) implements ImageState {
    }
}
