package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the image collector must know of the host besides its images: which images containers use (every container,
 * in any state, whoever made it, unlike {@link Docker}, which sees only Berth's) and where Docker keeps its data.
 */
public final class HostImageUse {
    private final DockerClient docker;

    public HostImageUse(DockerClient docker) {
        this.docker = Objects.requireNonNull(docker);
    }

    /** The ids ({@code sha256:...}) of the images of every container on the host, running or not. */
    public Set<String> imageIdsInUse() {
        try {
            return docker.listContainersCmd().withShowAll(true).exec().stream().map(Container::getImageId)
                    .filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list containers", e);
        }
    }

    /** Docker's data root ({@code DockerRootDir} of {@code docker info}) as the daemon sees it. */
    public String dataRoot() {
        try {
            String root = docker.infoCmd().exec().getDockerRootDir();
            if (root == null || root.isBlank()) {
                throw new DockerActionException(DockerActionException.DOCKER_ERROR, "docker info names no DockerRootDir");
            }
            return root;
        } catch (RuntimeException e) {
            throw DockerErrors.classify("docker info", e);
        }
    }
}
