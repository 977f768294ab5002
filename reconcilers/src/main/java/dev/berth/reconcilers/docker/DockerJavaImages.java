package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import java.time.Duration;
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
        throw new UnsupportedOperationException("list: not yet");
    }

    @Override
    public void remove(String imageId) {
        throw new UnsupportedOperationException("remove: not yet");
    }
}
