package dev.berth.operator.images;

import static dev.berth.operator.images.BuildTestSupport.docker;
import static dev.berth.operator.images.BuildTestSupport.service;
import static dev.berth.operator.images.BuildTestSupport.settled;
import static dev.berth.operator.images.BuildTestSupport.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestRegistry;
import dev.berth.operator.gitops.GitBuildContexts;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerJavaImages;
import dev.berth.reconcilers.docker.RegistryAuth;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a registry (the real one of the tests, TLS and htpasswd): one "host" builds and pushes while another sees its
 * claim in etcd and waits, then both run the pushed digest; a third finds the tag in the registry and only pulls.
 * The hosts share one dockerd here, so the test removes the local image before the third asks.
 */
class DockerImageBuildsRegistryTest {
    private static final Duration BUILD = Duration.ofSeconds(180);

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();
    @TempDir
    Path dir;

    private final String instance = TestEnv.uniqueName("br");
    private DockerClient docker;
    private DockerClient streams;
    private TestRegistry registry;
    private final List<DockerImageBuilds> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        docker = DockerClients.connect(TestEnv.dockerHost());
        streams = DockerClients.connectForEvents(TestEnv.dockerHost());
        registry = TestRegistry.start();
    }

    @AfterEach
    void stop() throws IOException {
        opened.forEach(DockerImageBuilds::close);
        String ids = docker("images", "-q", "--filter", "label=berth.dev/managed-by=" + instance).strip();
        for (String id : ids.lines().distinct().toList()) {
            try {
                docker("rmi", "-f", id);
            } catch (IOException e) {
                // gone already
            }
        }
        registry.close();
        docker.close();
        streams.close();
    }

    private DockerImageBuilds builds(String host, GitSourceSpec source) {
        Path state = dir.resolve("state-" + host);
        DockerImageBuilds builds = new DockerImageBuilds(new DockerJavaImages(docker, streams), etcd.kv, etcd.keys,
                new GitBuildContexts(DockerImageBuilds.gitCacheDir(state), dir, name -> Optional.empty(), () -> true,
                        new OperatorKeyring(Optional.empty()), name -> Optional.of(source)),
                reg -> reg.equals(registry.host())
                        ? Optional.of(new RegistryAuth(reg, registry.username(), registry.password()))
                        : Optional.empty(),
                new ImageSettings(Duration.ofMinutes(2), BUILD, 85, 80, Duration.ofMinutes(2), Duration.ofMinutes(5)),
                ImageAcquisitions.NONE, host, instance, state, Clock.systemUTC());
        opened.add(builds);
        return builds;
    }

    @Test
    void oneHostBuildsAndPushesTheOthersWaitForItsClaimAndUseTheDigest() throws IOException {
        BuildTestSupport.Repo repo = new BuildTestSupport.Repo(dir.resolve("repo"));
        repo.write("deploy/stack.yaml", "# manifest\n");
        // the sleep keeps the build going long enough for the second host to find the claim
        repo.write("deploy/app/Dockerfile", "FROM " + TestEnv.testImage() + "\nRUN sleep 4\nCOPY hello.txt /hello.txt\n");
        repo.write("deploy/app/hello.txt", "pushed\n");
        String commit = repo.commit("app");
        GitSourceSpec source = new GitSourceSpec(repo.url(), "main", "deploy", null, null, null, null, null, null, null);
        String image = registry.host() + "/" + instance + "/app";
        StoredObject stack = stack(instance + "-web", List.of("berth.dev/gitsource: src",
                "berth.dev/commit: \"" + commit + "\"", "berth.dev/path: deploy/stack.yaml"),
                "    - name: app\n      image: " + image + "\n      build: {context: app}\n"
                        + "      command: [sleep, \"100\"]\n");
        DockerImageBuilds first = builds("h1", source);
        DockerImageBuilds second = builds("h2", source);

        assertInstanceOf(ImageState.InProgress.class, first.image(stack, service(stack, "app"), () -> {
        }));
        Await.until(Duration.ofSeconds(60), "h1 claims the build",
                () -> !etcd.kv.list(etcd.keys.buildsPrefix()).values().isEmpty());
        String claim = etcd.kv.list(etcd.keys.buildsPrefix()).values().get(0).value();
        assertTrue(claim.contains("\"host\":\"h1\""), claim);
        AtomicReference<ImageState> seen = new AtomicReference<>();
        Await.until(Duration.ofSeconds(60), "h2 says h1 builds", () -> {
            seen.set(second.image(stack, service(stack, "app"), () -> {
            }));
            return seen.get() instanceof ImageState.InProgress p && p.message().endsWith(" on h1");
        }, () -> String.valueOf(seen.get()));
        assertEquals(ImageState.BUILDING, ((ImageState.InProgress) seen.get()).reason());

        ImageState.Ready built = assertInstanceOf(ImageState.Ready.class, settled(first, stack, "app", BUILD));
        assertTrue(built.ref().startsWith(image + "@sha256:"), built.ref());
        ImageState.Ready waited = assertInstanceOf(ImageState.Ready.class, settled(second, stack, "app", BUILD));
        assertEquals(built, waited);
        assertEquals(1, first.builds());
        assertEquals(0, second.builds());
        Await.until(Duration.ofSeconds(20), "the claim is released",
                () -> etcd.kv.list(etcd.keys.buildsPrefix()).values().isEmpty());

        String tag = registryTag(built);
        assertEquals(built.ref().substring(built.ref().indexOf('@') + 1), registryDigest(image, tag),
                "the digest is the registry's");

        // a third host without the image: the tag is in the registry, so it pulls rather than builds
        docker("rmi", "-f", image + ":" + tag);
        DockerImageBuilds third = builds("h3", source);
        assertEquals(built, settled(third, stack, "app", BUILD));
        assertEquals(0, third.builds());
        assertEquals("pushed", docker("run", "--rm", built.ref(), "cat", "/hello.txt").strip());
    }

    /** The berth-<hash> tag the image got (its RepoTags on this host). */
    private String registryTag(ImageState.Ready built) throws IOException {
        String tags = docker("inspect", "-f", "{{range .RepoTags}}{{.}} {{end}}", built.ref());
        Matcher m = Pattern.compile(":(berth-[0-9a-f]{12})").matcher(tags);
        assertTrue(m.find(), tags);
        return m.group(1);
    }

    /** What the registry itself says the tag's manifest digest is. */
    private String registryDigest(String image, String tag) throws IOException {
        String repository = image.substring(registry.host().length() + 1);
        String headers = BuildTestSupport.run(dir, "curl", "-sSI", "--cacert", registry.caCertificate().toString(),
                "-u", registry.username() + ":" + registry.password(),
                "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
                "https://" + registry.host() + "/v2/" + repository + "/manifests/" + tag);
        Matcher m = Pattern.compile("(?i)docker-content-digest:\\s*(sha256:[0-9a-f]{64})").matcher(headers);
        assertTrue(m.find(), headers);
        return m.group(1);
    }
}
