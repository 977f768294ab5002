package dev.berth.operator.images;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.berth.reconcilers.docker.BuildRequest;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.DockerJavaImages;
import dev.berth.reconcilers.docker.ImageInfo;
import dev.berth.reconcilers.docker.RegistryAuth;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The real {@link DockerJavaImages} for builds, with {@code inspect} read straight through docker-java until the
 * gateway's own inspect lands (another part of the issue); everything still talks to the real daemon.
 */
final class LocalDockerImages implements DockerImages {
    private final DockerClient docker;
    private final DockerJavaImages images;

    LocalDockerImages(DockerClient docker) {
        this.docker = docker;
        this.images = new DockerJavaImages(docker);
    }

    @Override
    public Optional<ImageInfo> inspect(String ref) {
        try {
            InspectImageResponse r = docker.inspectImageCmd(ref).exec();
            return Optional.of(new ImageInfo(r.getId(), r.getRepoTags(), r.getRepoDigests(),
                    r.getConfig() == null ? null : r.getConfig().getLabels(), r.getSize() == null ? 0 : r.getSize(),
                    null));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress) {
        return images.pull(ref, auth, timeout, progress);
    }

    @Override
    public String push(String ref, Optional<RegistryAuth> auth, Duration timeout) {
        return images.push(ref, auth, timeout);
    }

    @Override
    public String build(BuildRequest request, Consumer<String> output) {
        return images.build(request, output);
    }

    @Override
    public void tag(String imageId, String repository, String tag) {
        images.tag(imageId, repository, tag);
    }

    @Override
    public List<ImageInfo> list() {
        return images.list();
    }

    @Override
    public void remove(String imageId) {
        images.remove(imageId);
    }
}
