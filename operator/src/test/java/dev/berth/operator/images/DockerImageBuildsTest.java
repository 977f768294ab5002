package dev.berth.operator.images;

import static dev.berth.operator.images.BuildTestSupport.docker;
import static dev.berth.operator.images.BuildTestSupport.settled;
import static dev.berth.operator.images.BuildTestSupport.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestEnv;
import dev.berth.operator.gitops.GitBuildContexts;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.DockerJavaImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Builds through the real dockerd from real git repositories and host folders, with claims in the real etcd. */
class DockerImageBuildsTest {
    private static final Duration BUILD = Duration.ofSeconds(120);

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();
    @TempDir
    Path dir;

    private final String instance = TestEnv.uniqueName("bt");
    private DockerClient docker;
    private DockerClient streams;
    private final List<DockerImageBuilds> opened = new ArrayList<>();
    private final Map<String, GitSourceSpec> sources = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    void connect() {
        docker = DockerClients.connect(TestEnv.dockerHost());
        streams = DockerClients.connectForEvents(TestEnv.dockerHost());
    }

    @AfterEach
    void cleanUp() throws IOException {
        opened.forEach(DockerImageBuilds::close);
        String ids = docker("images", "-q", "--filter", "label=berth.dev/managed-by=" + instance).strip();
        for (String id : ids.lines().distinct().toList()) {
            try {
                docker("rmi", "-f", id);
            } catch (IOException e) {
                // already gone
            }
        }
        docker.close();
        streams.close();
    }

    /** The real time, moved on by hand when a test must see what happens a minute later. */
    private static final class MovableClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().plus(ahead);
        }
    }

    private final MovableClock clock = new MovableClock();

    private DockerImageBuilds builds(String host, DockerImages images, DockerImageBuilds.Logins logins) {
        Path state = dir.resolve("state-" + host);
        GitBuildContexts git = new GitBuildContexts(DockerImageBuilds.gitCacheDir(state), dir, name -> Optional.empty(),
                () -> true, new OperatorKeyring(Optional.empty()), name -> Optional.ofNullable(sources.get(name)));
        DockerImageBuilds builds = new DockerImageBuilds(images, etcd.kv, etcd.keys, git, logins,
                new ImageSettings(Duration.ofMinutes(1), BUILD, 85, 80, Duration.ofMinutes(2), Duration.ofMinutes(5)),
                ImageAcquisitions.NONE, host, instance, state, clock);
        opened.add(builds);
        return builds;
    }

    private DockerImageBuilds builds(String host) {
        return builds(host, new DockerJavaImages(docker, streams), registry -> Optional.empty());
    }

    private static boolean imagePresent(String ref) {
        try {
            docker("image", "inspect", ref);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String dockerfile(String run) {
        return "FROM " + TestEnv.testImage() + "\nRUN " + run + "\nCOPY hello.txt /hello.txt\n";
    }

    private StoredObject gitStack(String name, String source, String commit, String context) {
        return stack(name, List.of("berth.dev/gitsource: " + source, "berth.dev/commit: \"" + commit + "\"",
                        "berth.dev/path: deploy/web/stack.yaml"),
                "    - name: app\n      build: {context: " + context + "}\n      command: [sleep, \"100\"]\n");
    }

    @Test
    void buildsOnceFromAFolderOfTheCommitAndNeverAgainForTheSameContext() throws IOException {
        BuildTestSupport.Repo repo = new BuildTestSupport.Repo(dir.resolve("repo"));
        repo.write("deploy/web/stack.yaml", "# the manifest lives here\n");
        repo.write("app/Dockerfile", dockerfile("echo built > /built.txt"));
        repo.write("app/hello.txt", "hello from git\n");
        String first = repo.commit("first");
        String source = instance + "-src";
        sources.put(source, new GitSourceSpec(repo.url(), "main", "deploy", null, null, null, null, null, null, null));
        String name = instance + "-web";
        DockerImageBuilds builds = builds("h1");

        ImageState state = settled(builds, gitStack(name, source, first, "../../app"), "app", BUILD);
        ImageState.Ready ready = assertInstanceOf(ImageState.Ready.class, state, String.valueOf(state));
        assertTrue(ready.ref().matches("berth-build/" + name + "-app:[0-9a-f]{12}"), ready.ref());
        assertEquals(1, builds.builds());
        assertEquals("hello from git", docker("run", "--rm", ready.ref(), "cat", "/hello.txt").strip());
        assertEquals(instance, docker("inspect", "-f", "{{index .Config.Labels \"berth.dev/managed-by\"}}",
                ready.ref()).strip());
        assertEquals(name + "/app", docker("inspect", "-f", "{{index .Config.Labels \"berth.dev/built-from\"}}",
                ready.ref()).strip());

        // the same commit again, and a new commit that leaves the context alone: no build
        assertEquals(ready, settled(builds, gitStack(name, source, first, "../../app"), "app", BUILD));
        repo.write("deploy/web/other.txt", "not in the context\n");
        String second = repo.commit("outside the context");
        assertEquals(ready, settled(builds, gitStack(name, source, second, "../../app"), "app", BUILD));
        // an operator started afresh finds the image on the host
        DockerImageBuilds restarted = builds("h1");
        assertEquals(ready, settled(restarted, gitStack(name, source, second, "../../app"), "app", BUILD));
        assertEquals(1, builds.builds());
        assertEquals(0, restarted.builds());

        // a changed file of the context: a new tag, built once
        repo.write("app/hello.txt", "hello again\n");
        String third = repo.commit("changed");
        ImageState.Ready again = assertInstanceOf(ImageState.Ready.class,
                settled(builds, gitStack(name, source, third, "../../app"), "app", BUILD));
        assertNotEquals(ready.ref(), again.ref());
        assertEquals(2, builds.builds());
        assertEquals("hello again", docker("run", "--rm", again.ref(), "cat", "/hello.txt").strip());
    }

    @Test
    void aBrokenDockerfileFailsWithTheFailingStepAndIsNotTriedAgainBeforeItsTime() throws IOException {
        java.util.Set<String> leftBefore = failedBuildContainers();
        BuildTestSupport.Repo repo = new BuildTestSupport.Repo(dir.resolve("repo"));
        repo.write("deploy/web/stack.yaml", "# manifest\n");
        repo.write("deploy/web/Dockerfile", dockerfile("echo about to fail && false"));
        repo.write("deploy/web/hello.txt", "hello\n");
        String commit = repo.commit("broken");
        String source = instance + "-src";
        sources.put(source, new GitSourceSpec(repo.url(), "main", "deploy", null, null, null, null, null, null, null));
        DockerImageBuilds builds = builds("h1");
        StoredObject stack = gitStack(instance + "-web", source, commit, ".");

        ImageState state = settled(builds, stack, "app", BUILD);
        ImageState.Failed failed = assertInstanceOf(ImageState.Failed.class, state, String.valueOf(state));
        assertEquals(DockerImages.BUILD_FAILED, failed.reason());
        assertTrue(failed.message().matches("(?s).*Step 2/\\d+ : RUN echo about to fail && false.*"), failed.message());
        assertTrue(failed.message().contains("returned a non-zero code: 1"), failed.message());
        assertTrue(failed.message().contains("about to fail"), failed.message());
        assertTrue(failed.retryAt().isAfter(java.time.Instant.now()), failed.retryAt().toString());
        // asked again before retryAt: the same failure, no new build (never a hot loop)
        assertEquals(failed, builds.image(stack, BuildTestSupport.service(stack, "app"), () -> {
        }));
        assertEquals(1, builds.builds());
        // after retryAt it is tried again, and the delay grows; while it runs the answer stays the failure (the stack
        // stays Degraded, never Progressing between attempts)
        java.util.List<ImageState> answers = new java.util.ArrayList<>();
        dev.berth.operator.Await.until(Duration.ofSeconds(30), "a second attempt", () -> {
            answers.add(builds.image(stack, BuildTestSupport.service(stack, "app"), () -> {
            }));
            ImageState now = builds.image(stack, BuildTestSupport.service(stack, "app"), () -> {
            });
            answers.add(now);
            return builds.builds() == 2 && now instanceof ImageState.Failed f2 && !f2.equals(failed);
        });
        assertEquals(java.util.List.of(), answers.stream().filter(a -> !(a instanceof ImageState.Failed)).toList());
        ImageState.Failed second = (ImageState.Failed) builds.image(stack, BuildTestSupport.service(stack, "app"),
                () -> {
                });
        assertTrue(Duration.between(java.time.Instant.now(), second.retryAt()).compareTo(Duration.ofSeconds(2)) > 0,
                "the second delay is longer: " + second.retryAt());

        // a bad instruction is a failure too, at once for the new commit
        repo.write("deploy/web/Dockerfile", "FROM " + TestEnv.testImage() + "\nNOSUCHTHING x\n");
        String fixed = repo.commit("bad instruction");
        ImageState.Failed bad = assertInstanceOf(ImageState.Failed.class,
                settled(builds, gitStack(instance + "-web", source, fixed, "."), "app", BUILD));
        assertTrue(bad.message().startsWith("build failed: dockerfile parse error line 2: unknown instruction"),
                bad.message());
        assertEquals(leftBefore, failedBuildContainers(), "a failed build leaves no container behind");
    }

    @Test
    void aBuildLongerThanItsTimeoutFailsInTime() throws IOException {
        Path context = dir.resolve("slow");
        Files.createDirectories(context);
        Files.writeString(context.resolve("Dockerfile"), "FROM " + TestEnv.testImage() + "\nRUN sleep 60\n");
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        HostContext.of(context, "Dockerfile").writeTar(tar);
        List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        dev.berth.reconcilers.docker.DockerActionException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.berth.reconcilers.docker.DockerActionException.class,
                () -> new DockerJavaImages(docker, streams).build(new dev.berth.reconcilers.docker.BuildRequest(
                        () -> new java.io.ByteArrayInputStream(tar.toByteArray()), "Dockerfile", Map.of(), null,
                        List.of(), Map.of("berth.dev/managed-by", instance), Duration.ofSeconds(3)), output::add));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(DockerImages.BUILD_FAILED, e.reason());
        assertTrue(e.getMessage().startsWith("build did not finish within 3 s"), e.getMessage());
        assertTrue(e.getMessage().contains("RUN sleep 60"), "the step it was at: " + e.getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "gave up in time: " + took);
        assertTrue(output.stream().anyMatch(l -> l.startsWith("Step 1/")), output.toString());
    }

    @Test
    void aContextOutsideTheRepositoryIsRefused() throws IOException {
        BuildTestSupport.Repo repo = new BuildTestSupport.Repo(dir.resolve("repo"));
        repo.write("deploy/web/stack.yaml", "# manifest\n");
        String commit = repo.commit("one");
        String source = instance + "-src";
        sources.put(source, new GitSourceSpec(repo.url(), "main", "deploy", null, null, null, null, null, null, null));
        ImageState.Failed failed = assertInstanceOf(ImageState.Failed.class,
                settled(builds("h1"), gitStack(instance + "-web", source, commit, "../../../elsewhere"), "app", BUILD));
        assertTrue(failed.message().contains("leaves the repository"), failed.message());
    }

    @Test
    void aHostFolderIsBuiltWithoutWhatDockerignoreExcludesAndHashesStably() throws IOException {
        Path context = dir.resolve("ctx");
        Files.createDirectories(context.resolve("logs"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + TestEnv.testImage() + "\nCOPY . /ctx/\n");
        Files.writeString(context.resolve("hello.txt"), "hello from the host\n");
        Files.writeString(context.resolve("secret.txt"), "keep me out\n");
        Files.writeString(context.resolve("logs/a.log"), "log\n");
        Files.writeString(context.resolve(".dockerignore"), "# not sent\nsecret.txt\nlogs\n**/*.tmp\n");
        Files.writeString(context.resolve("x.tmp"), "tmp\n");
        String hash = HostContext.of(context, "Dockerfile").hash();
        assertEquals(List.of(".dockerignore", "Dockerfile", "hello.txt"), HostContext.of(context, "Dockerfile").files());
        Files.setLastModifiedTime(context.resolve("hello.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
        Files.writeString(context.resolve("secret.txt"), "changed, but ignored\n");
        assertEquals(hash, HostContext.of(context, "Dockerfile").hash(), "times and ignored files do not count");

        String name = instance + "-host";
        StoredObject stack = stack(name, List.of(), "    - name: app\n      build: {context: " + context
                + "}\n      command: [sleep, \"100\"]\n");
        DockerImageBuilds builds = builds("h1");
        ImageState.Ready ready = assertInstanceOf(ImageState.Ready.class, settled(builds, stack, "app", BUILD));
        assertEquals("hello from the host", docker("run", "--rm", ready.ref(), "cat", "/ctx/hello.txt").strip());
        assertEquals("Dockerfile\nhello.txt", docker("run", "--rm", ready.ref(), "ls", "/ctx").strip());
        assertEquals(ready, settled(builds("h1"), stack, "app", BUILD), "another operator finds the same tag");

        // removed from the host behind Berth's back: the next look (a minute on) builds it again, Ready meanwhile
        docker("rmi", "-f", ready.ref());
        clock.ahead = Duration.ofSeconds(61);
        assertEquals(ready, builds.image(stack, BuildTestSupport.service(stack, "app"), () -> {
        }));
        dev.berth.operator.Await.until(BUILD, "built again", () -> builds.builds() == 2
                && !(builds.image(stack, BuildTestSupport.service(stack, "app"), () -> {
                }) instanceof ImageState.InProgress) && imagePresent(ready.ref()));
        assertEquals(ready, settled(builds, stack, "app", BUILD));

        Files.writeString(context.resolve("hello.txt"), "changed\n");
        assertNotEquals(hash, HostContext.of(context, "Dockerfile").hash());
        Files.setPosixFilePermissions(context.resolve("hello.txt"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String executable = HostContext.of(context, "Dockerfile").hash();
        Files.setPosixFilePermissions(context.resolve("hello.txt"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertNotEquals(executable, HostContext.of(context, "Dockerfile").hash(), "modes count");
        assertFalse(hash.isEmpty());
    }

    /** The containers Docker's builder left from this class's failing RUN step. */
    private static java.util.Set<String> failedBuildContainers() throws IOException {
        return docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").lines()
                .filter(l -> l.contains("about to fail")).map(l -> l.split(" ")[0])
                .collect(java.util.stream.Collectors.toSet());
    }
}
