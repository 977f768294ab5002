package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.TestEnv;
import dev.berth.operator.TestRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test registry every image test uses, against the env's real dockerd: pushes give digests, pulls need the
 * login, the CA is trusted through certs.d and removed again, stop/restart keeps what was pushed.
 */
class TestRegistryTest {
    private final String docker = TestEnv.dockerHost();

    @TempDir
    Path tmp;

    @Test
    void pushedImagesPullOnlyWithTheLoginAndSurviveARestart() throws Exception {
        Path certs;
        String repo = TestEnv.uniqueName("reg-test/one");
        DockerCli plain = cli("plain");
        try (TestRegistry registry = TestRegistry.start()) {
            certs = Path.of("/etc/docker/certs.d", registry.host());
            assertTrue(Files.isRegularFile(certs.resolve("ca.crt")), "the test CA is in " + certs);
            assertTrue(registry.username().startsWith("berth-"));
            String ref = registry.host() + "/" + repo + ":1";

            String digest = registry.push(docker, TestEnv.testImage(), repo + ":1");
            assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
            assertFalse(plain.run("image", "inspect", ref).ok(), "the pushed tag is not left on the daemon");

            DockerCli login = loggedIn(registry, docker, "login");
            DockerCli.Result pulled = login.run("pull", ref);
            assertTrue(pulled.ok(), pulled.out());
            assertTrue(pulled.out().contains(digest), "pulled the pushed digest: " + pulled.out());
            plain.run("rmi", ref);

            // Without credentials dockerd also tries plain HTTP on loopback (see TestRegistry); either way: no image.
            DockerCli.Result anonymous = plain.run("pull", ref);
            assertFalse(anonymous.ok(), anonymous.out());
            Instant before = Instant.now();
            DockerCli.Result refused = wrongPassword(registry, docker).run("pull", ref);
            assertFalse(refused.ok(), refused.out());
            assertTrue(refused.out().contains("unauthorized"), refused.out());
            List<Instant> unauthorized = registry.unauthorizedAt();
            assertEquals(1, unauthorized.stream().filter(at -> at.isAfter(before.minusSeconds(1))).count(),
                    "one refused attempt for the wrong password: " + unauthorized);

            registry.stop();
            DockerCli.Result down = login.run("pull", ref);
            assertFalse(down.ok(), "no pull while the registry is down: " + down.out());
            registry.restart();
            DockerCli.Result back = login.run("pull", ref);
            assertTrue(back.ok(), "the same image after a restart: " + back.out());
            plain.run("rmi", ref);
            assertTrue(registry.log().stream().anyMatch(line -> line.contains("GET /v2/" + repo + "/manifests/")),
                    "the access log shows the pulls");
        }
        assertFalse(Files.exists(certs), "close() removes " + certs);
    }

    @Test
    void pushNewGivesANewDigestEveryTime() throws IOException {
        String repo = TestEnv.uniqueName("reg-test/new");
        try (TestRegistry registry = TestRegistry.start()) {
            String first = registry.pushNew(docker, repo + ":latest");
            String second = registry.pushNew(docker, repo + ":latest");
            assertNotEquals(first, second);
            assertFalse(cli("plain").run("image", "inspect", registry.host() + "/" + repo + ":latest").ok());
        }
    }

    private DockerCli cli(String name) throws IOException {
        return new DockerCli(docker, Files.createDirectories(tmp.resolve(name)));
    }

    /** A CLI on {@code dockerHost} logged in to the registry (the login itself goes through that daemon). */
    static DockerCli loggedIn(TestRegistry registry, String dockerHost, Path config) {
        DockerCli cli = new DockerCli(dockerHost, config);
        DockerCli.Result login = cli.withStdin(registry.password(), "login", "-u", registry.username(),
                "--password-stdin", registry.host());
        assertTrue(login.ok(), login.out());
        return cli;
    }

    private DockerCli loggedIn(TestRegistry registry, String dockerHost, String name) throws IOException {
        return loggedIn(registry, dockerHost, Files.createDirectories(tmp.resolve(name)));
    }

    private DockerCli wrongPassword(TestRegistry registry, String dockerHost) throws IOException {
        return wrongPassword(registry, dockerHost, Files.createDirectories(tmp.resolve("wrong")));
    }

    /** A CLI whose config holds the registry's user with a wrong password (docker login would refuse to store it). */
    static DockerCli wrongPassword(TestRegistry registry, String dockerHost, Path config) throws IOException {
        String auth = Base64.getEncoder().encodeToString((registry.username() + ":not-" + registry.password())
                .getBytes(StandardCharsets.UTF_8));
        Files.writeString(config.resolve("config.json"),
                "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}");
        return new DockerCli(dockerHost, config);
    }
}
