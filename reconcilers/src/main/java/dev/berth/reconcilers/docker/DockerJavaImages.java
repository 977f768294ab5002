package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** {@link DockerImages} through docker-java. */
public final class DockerJavaImages implements DockerImages {
    private final DockerClient docker;

    public DockerJavaImages(DockerClient docker) {
        this.docker = docker;
    }

    @Override
    public Optional<ImageInfo> inspect(String ref) {
        throw new UnsupportedOperationException("inspect: not yet");
    }

    @Override
    public ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress) {
        throw new UnsupportedOperationException("pull: not yet");
    }

    @Override
    public String push(String ref, Optional<RegistryAuth> auth, Duration timeout) {
        throw new UnsupportedOperationException("push: not yet");
    }

    @Override
    public String build(BuildRequest request, Consumer<String> output) {
        throw new UnsupportedOperationException("build: not yet");
    }

    @Override
    public void tag(String imageId, String repository, String tag) {
        throw new UnsupportedOperationException("tag: not yet");
    }

    @Override
    public List<ImageInfo> list() {
        try {
            // Top-level images only: intermediate layers are removed with the image that holds them.
            return docker.listImagesCmd().withShowAll(false).exec().stream().map(DockerJavaImages::listed).toList();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list images", e);
        }
    }

    @Override
    public void remove(String imageId) {
        String what = "remove image " + imageId;
        try {
            docker.removeImageCmd(imageId).withForce(false).exec();
        } catch (NotFoundException e) {
            return;
        } catch (ConflictException e) {
            if (!DockerErrors.dockerMessage(e).contains("referenced in multiple repositories")) {
                throw inUse(what, e);
            }
            // Not forced, Docker removes by id only an image whose names share one repository: take the names one
            // by one; the last one goes only with the image, and only when no container uses it.
            removeNames(imageId, what);
        } catch (RuntimeException e) {
            throw DockerErrors.classify(what, e);
        }
    }

    private void removeNames(String imageId, String what) {
        // Docker checks for containers only when the last name goes: look first, so a used image keeps its names.
        if (!docker.listContainersCmd().withShowAll(true).withAncestorFilter(List.of(imageId)).exec().isEmpty()) {
            throw new DockerActionException(IMAGE_IN_USE, what + ": a container uses it");
        }
        List<String> tags;
        try {
            tags = Optional.ofNullable(docker.inspectImageCmd(imageId).exec().getRepoTags()).orElse(List.of());
        } catch (NotFoundException e) {
            return;
        }
        for (String tag : tags) {
            try {
                docker.removeImageCmd(tag).withForce(false).exec();
            } catch (NotFoundException e) {
                // Moved or removed by someone else meanwhile: the image is not named by it any more.
            } catch (ConflictException e) {
                throw inUse(what, e);
            }
        }
        try {
            docker.removeImageCmd(imageId).withForce(false).exec();
        } catch (NotFoundException e) {
            // The last name took the image with it.
        } catch (ConflictException e) {
            throw inUse(what, e);
        }
    }

    private static DockerActionException inUse(String what, ConflictException e) {
        return new DockerActionException(IMAGE_IN_USE, what + ": " + DockerErrors.dockerMessage(e), e);
    }

    private static ImageInfo listed(Image image) {
        return new ImageInfo(image.getId(), named(image.getRepoTags()), named(image.getRepoDigests()),
                image.getLabels(), image.getSize() == null ? 0 : image.getSize(),
                image.getCreated() == null ? Instant.EPOCH : Instant.ofEpochSecond(image.getCreated()));
    }

    /** Docker lists an image without names as {@code <none>:<none>} / {@code <none>@<none>}: no name at all. */
    private static List<String> named(String[] names) {
        return names == null ? List.of() : Arrays.stream(names).filter(n -> !n.startsWith("<none>")).toList();
    }
}
