package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.Operator;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.TestRegistry;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A build end to end on three Docker hosts (a dockerd per network namespace, one etcd) with a real registry on the
 * bed's underlay: a GitSource holds a stack whose service is built from a Dockerfile next to it and pushed to the
 * registry; three replicas spread over the three hosts all run the one pushed digest, built once (one host's daemon
 * has the build's image id without having pulled it; the image carries the file from the repository). A new commit
 * that leaves the context alone builds nothing. Needs StackImages wired to DockerImageBuilds in the operator.
 */
@RunsOnOwnHosts
class BuildBedTest {
    private static final Duration WAIT = Duration.ofSeconds(240);

    @Test
    void builtOnceFromTheGitSourcePushedAndRunOnEveryHost() throws Exception {
        Path keyFile = Files.createTempFile("berth-key-", ".txt",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        keyFile.toFile().deleteOnExit();
        Files.writeString(keyFile, SecretKeyring.newKeyLine() + "\n");
        SecretKeyring keyring = SecretKeyring.load(keyFile);
        Path dir = Files.createTempDirectory("berth-build-bed-");
        try (OverlayTestBed bed = new OverlayTestBed(3)) {
            try (TestRegistry registry = TestRegistry.start(bed.rootIpUp())) {
                for (OverlayTestBed.Host host : bed.hosts) {
                    host.harness = TestOperator.builder().etcd(bed.etcd).dockerHost(host.dockerd.host())
                            .underlay(new Operator.Underlay(Optional.of("ul0"), Optional.empty(),
                                    Optional.of(host.netns)))
                            .routes(bed.traefikRoot(), null).secretKeyFile(keyFile).build();
                    host.harness.start();
                }
                String secretName = "reg" + bed.id;
                apply(bed, Manifest.of("Secret", secretName, """
                        type: Registry
                        registry: "%s"
                        encryptedData:
                          username: "%s"
                          password: "%s"
                        """.formatted(registry.host(),
                        keyring.encrypt(secretName, "username", registry.username().getBytes(StandardCharsets.UTF_8)),
                        keyring.encrypt(secretName, "password", registry.password().getBytes(StandardCharsets.UTF_8)))));

                String s = "build" + bed.id;
                String image = registry.host() + "/" + TestEnv.uniqueName("app");
                Path work = gitRepo(dir);
                write(work, "deploy/stack.yaml", """
                        apiVersion: berth.dev/v1
                        kind: Stack
                        metadata:
                          name: %s
                        spec:
                          placement: {maxPerHost: 1}
                          services:
                            - name: web
                              image: %s
                              build: {context: app}
                              replicas: 3
                              command: [sleep, "100000"]
                              init: true
                        """.formatted(s, image));
                write(work, "deploy/app/Dockerfile", "FROM " + TestEnv.testImage()
                        + "\nRUN echo built > /built.txt\nCOPY hello.txt /hello.txt\n");
                write(work, "deploy/app/hello.txt", "hello from the bed\n");
                commit(work, "a stack built from its Dockerfile");
                apply(bed, Manifest.of("GitSource", "src" + bed.id, """
                        url: "file://%s"
                        ref: main
                        path: deploy
                        interval: 5s
                        """.formatted(dir.resolve("origin.git"))));

                awaitEveryHostRunsOneDigest(bed, s, image);
                Map<String, String> refs = refs(bed, s);
                String ref = refs.values().iterator().next();
                assertTrue(ref.startsWith(image + "@sha256:"), refs.toString());
                for (OverlayTestBed.Host h : bed.hosts) {
                    Container c = h.harness.containers(s).get(0);
                    assertEquals("hello from the bed", exec(h, c, "cat", "/hello.txt"));
                }
                // built once: the registry took exactly one push of the image's manifest (the others pulled it)
                String manifestPut = "\"PUT /v2/" + image.substring(registry.host().length() + 1) + "/manifests/";
                List<String> pushes = registry.log().stream().filter(l -> l.contains(manifestPut)).toList();
                assertEquals(1, pushes.size(), "one host built and pushed: " + pushes);

                // a commit that leaves the context alone: the same digest everywhere, no new build
                Map<String, String> ids = containerIds(bed, s);
                write(work, "deploy/README.md", "not in the build context\n");
                commit(work, "outside the context");
                String newCommit = head(work);
                Await.until(WAIT, "the new commit is synced", () -> bed.etcd.kv.get(bed.etcd.keys.desired("stack", s))
                        .map(v -> v.value().contains(newCommit)).orElse(false));
                awaitEveryHostRunsOneDigest(bed, s, image);
                assertEquals(refs, refs(bed, s), "the same digest");
                assertEquals(ids, containerIds(bed, s), "nothing was replaced");
                assertEquals(1, registry.log().stream().filter(l -> l.contains(manifestPut)).count(),
                        "no new build or push");

                // a broken Dockerfile: Degraded/BuildFailed with the failing step where the user looks, and what runs
                // stays
                write(work, "deploy/app/Dockerfile", "FROM " + TestEnv.testImage()
                        + "\nRUN echo built > /built.txt\nRUN exit 3\n");
                commit(work, "a step that fails");
                Await.until(WAIT, "BuildFailed in the status with the failing step", () -> bed.hosts.stream()
                        .anyMatch(h -> h.harness.degradedReason(s).equals(Optional.of("BuildFailed"))
                                && h.harness.describeStatus(s).contains("RUN exit 3")),
                        () -> bed.hosts.stream().map(h -> h.harness.describeStatus(s)).toList().toString());
                assertEquals(ids, containerIds(bed, s), "the running replicas are kept");
            }
        }
    }

    private static void awaitEveryHostRunsOneDigest(OverlayTestBed bed, String stack, String image) {
        Await.until(WAIT, "every host runs one replica of " + image + "@sha256:...", () -> bed.hosts.stream()
                .allMatch(h -> h.harness.isReady(stack, 1)) && new HashSet<>(refs(bed, stack).values()).size() == 1
                && refs(bed, stack).values().iterator().next().startsWith(image + "@sha256:"),
                () -> everywhere(bed, stack));
    }

    private static Map<String, String> refs(OverlayTestBed bed, String stack) {
        Map<String, String> refs = new TreeMap<>();
        bed.hosts.forEach(h -> h.harness.containers(stack).forEach(c -> refs.put(h.harness.host,
                h.harness.docker.inspectContainerCmd(c.getId()).exec().getConfig().getImage())));
        return refs;
    }

    private static Map<String, String> containerIds(OverlayTestBed bed, String stack) {
        Map<String, String> ids = new TreeMap<>();
        bed.hosts.forEach(h -> ids.put(h.harness.host, h.harness.containers(stack).get(0).getId()));
        return ids;
    }

    private static String everywhere(OverlayTestBed bed, String stack) {
        StringBuilder text = new StringBuilder();
        for (OverlayTestBed.Host h : bed.hosts) {
            text.append(h.harness.host).append(": ").append(h.harness.describeStatus(stack)).append('\n');
        }
        return text.append(refs(bed, stack)).toString();
    }

    private static String exec(OverlayTestBed.Host h, Container c, String... command) throws Exception {
        var exec = h.harness.docker.execCreateCmd(c.getId()).withCmd(command).withAttachStdout(true).exec();
        var out = new java.io.ByteArrayOutputStream();
        h.harness.docker.execStartCmd(exec.getId()).exec(new com.github.dockerjava.api.async.ResultCallback
                .Adapter<com.github.dockerjava.api.model.Frame>() {
            @Override
            public void onNext(com.github.dockerjava.api.model.Frame frame) {
                out.writeBytes(frame.getPayload());
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private static Path gitRepo(Path dir) throws IOException {
        git(dir, "init", "-q", "--bare", "-b", "main", dir.resolve("origin.git").toString());
        Path work = dir.resolve("work");
        git(dir, "init", "-q", "-b", "main", work.toString());
        git(work, "remote", "add", "origin", dir.resolve("origin.git").toString());
        return work;
    }

    private static void write(Path work, String path, String content) throws IOException {
        Path file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static void commit(Path work, String message) throws IOException {
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", message);
        git(work, "push", "-q", "--force", "origin", "main");
    }

    private static String head(Path work) {
        try {
            return git(work, "rev-parse", "HEAD").strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String git(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Berth Test", "-c",
                "user.email=test@berth.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("git " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    /** Like `berth apply`; retried while the shared etcd is too slow to answer (a busy test machine). */
    private static void apply(OverlayTestBed bed, String yaml) {
        Await.until(WAIT, "manifest stored", () -> {
            try {
                bed.hosts.get(0).harness.apply(yaml);
                return true;
            } catch (StoreException e) {
                return false;
            }
        });
    }
}
