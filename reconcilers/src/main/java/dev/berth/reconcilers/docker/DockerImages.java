package dev.berth.reconcilers.docker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Berth's way to Docker's images: pull, push, build, tag, list and remove. Separate from {@link Docker}, which acts
 * only on labelled containers and networks: images are shared by everything on the host, so only the image
 * collector removes one, and only one Berth pulled or built. Failures are {@link DockerActionException}s with the
 * reasons {@link #IMAGE_PULL_FAILED}, {@link #IMAGE_PUSH_FAILED}, {@link #BUILD_FAILED}, carrying the registry's
 * or the build's own message; no message ever holds a password.
 */
public interface DockerImages {
    String IMAGE_PULL_FAILED = "ImagePullFailed";
    String IMAGE_PUSH_FAILED = "ImagePushFailed";
    String BUILD_FAILED = "BuildFailed";
    /** {@link #remove}: a container uses the image (or an image is built on it), so it stays. */
    String IMAGE_IN_USE = "ImageInUse";

    /** The image a reference names on this host ({@code name:tag}, {@code name@sha256:...} or an id), if present. */
    Optional<ImageInfo> inspect(String ref);

    /**
     * Pulls {@code ref} with {@code auth} (sent in the request header, never in a URL or argument), giving up after
     * {@code timeout}; {@code progress} is told one short line now and then ("12.3 MB of 40.1 MB"). Returns the
     * image as pulled.
     */
    ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress);

    /** Pushes {@code ref} (a tag on this host) and returns the digest the registry stored, {@code sha256:...}. */
    String push(String ref, Optional<RegistryAuth> auth, Duration timeout);

    /**
     * Builds an image from the request's context; every output line goes to {@code output}. Returns the new image's
     * id. A failed build is {@link #BUILD_FAILED} with the last lines of the output (the failing step among them).
     */
    String build(BuildRequest request, Consumer<String> output);

    /** Tags the image {@code imageId} as {@code repository:tag}. */
    void tag(String imageId, String repository, String tag);

    /** Every image on the host, with what the collector needs to decide. */
    List<ImageInfo> list();

    /**
     * Removes the image (not forced: an image a container still uses stays, and the call fails with
     * {@link DockerActionException} {@link #IMAGE_IN_USE}). Gone already is fine.
     */
    void remove(String imageId);
}
