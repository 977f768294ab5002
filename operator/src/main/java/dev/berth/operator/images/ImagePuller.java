package dev.berth.operator.images;

/**
 * Brings images onto this host from their registries, never blocking a reconcile pass: a call says where the image
 * stands and starts a pull when one is needed; {@code onDone} runs (once, on the puller's thread) when a pull this
 * call started or joined ends, so the caller can look again. Credentials are chosen by the image's registry.
 * A failed pull is not tried again before its backoff ends (per image, growing), whatever calls in between.
 */
public interface ImagePuller {
    /**
     * {@code ref} is a tag ({@code reg/app:1}) or a digest ({@code reg/app@sha256:...}).
     * {@code policy} is the service's imagePullPolicy: IfNotPresent uses the image when it is here, Always pulls the
     * tag again (a digest is never pulled twice). Ready carries {@code name@sha256:...} when the image here has a
     * repository digest for {@code ref}'s repository (what a pin records), else {@code ref} as given (an image only
     * ever built or imported on this host).
     */
    ImageState resolve(String ref, String policy, Runnable onDone);

    /**
     * The same, where an Always pull must have started at or after {@code since} to count (the moment the caller
     * first needed a fresh answer, e.g. a new pin generation): an earlier pull's result is not the registry's answer
     * to this question. Null: the puller's own freshness window.
     */
    default ImageState resolve(String ref, String policy, java.time.Instant since, Runnable onDone) {
        return resolve(ref, policy, onDone);
    }
}
