package dev.berth.reconcilers.docker;

import dev.berth.crds.ObjectKey;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.berth.reconcilers.labels.BerthLabels;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Shared plumbing for tests against the real dockerd. They fail, not skip, without DOCKER_HOST. */
final class DockerTestSupport {
    static final String TEST_LABEL = "berth.test/run";

    private DockerTestSupport() {
    }

    static String dockerHost() {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || host.isBlank()) {
            fail("DOCKER_HOST is not set: source /var/lib/berth-env/env.sh (these tests need a real dockerd)");
        }
        return host;
    }

    static String image() {
        String image = System.getenv("BERTH_TEST_IMAGE");
        return image == null || image.isBlank() ? "berth-test/busybox:1" : image;
    }

    static String randomPrefix() {
        SecureRandom r = new SecureRandom();
        StringBuilder s = new StringBuilder("bt");
        for (int i = 0; i < 6; i++) {
            s.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(r.nextInt(36)));
        }
        return s.toString();
    }

    /** Removes what a test stack made, found by its owner label only. */
    static void removeStack(DockerClient docker, String stack) {
        Map<String, String> owner = Map.of(BerthLabels.OWNER, ObjectKey.stack(stack).toString());
        docker.listContainersCmd().withShowAll(true).withLabelFilter(owner).exec()
                .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
        docker.listNetworksCmd().withFilter("label", List.of(BerthLabels.OWNER + "=" + ObjectKey.stack(stack).toString()))
                .exec().forEach(n -> docker.removeNetworkCmd(n.getId()).exec());
        docker.listVolumesCmd().withFilter("label", List.of(BerthLabels.OWNER + "=" + ObjectKey.stack(stack).toString()))
                .exec().getVolumes().forEach(v -> docker.removeVolumeCmd(v.getName()).exec());
    }

    /** Removes test-made objects that carry no Berth label (foreign containers, networks). */
    static void removeTestObjects(DockerClient docker, String prefix) {
        docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(TEST_LABEL, prefix)).exec()
                .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
        docker.listNetworksCmd().withFilter("label", List.of(TEST_LABEL + "=" + prefix)).exec()
                .forEach(n -> docker.removeNetworkCmd(n.getId()).exec());
    }

    /** Runs a command in a container; returns stdout+stderr and the exit code. */
    static ExecResult exec(DockerClient docker, String container, String... cmd) throws InterruptedException {
        String execId = docker.execCreateCmd(container).withCmd(cmd).withAttachStdout(true).withAttachStderr(true)
                .exec().getId();
        List<String> out = new ArrayList<>();
        docker.execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame f) {
                synchronized (out) {
                    out.add(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        return new ExecResult(String.join("", out), code == null ? -1 : code);
    }

    record ExecResult(String output, long exitCode) {
    }
}
