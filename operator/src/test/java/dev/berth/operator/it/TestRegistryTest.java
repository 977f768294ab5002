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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The test registry every image test uses, against the env's real dockerd: pushes give digests, pulls need the
 * login, the CA is trusted through certs.d and removed again, stop/restart keeps what was pushed.
 */
class TestRegistryTest {
    private final String docker = TestEnv.dockerHost();

    @Test
    void pushedImagesPullOnlyWithTheLoginAndSurviveARestart() throws Exception {
        Path certs;
        String repo = TestEnv.uniqueName("reg-test/one");
        try (TestRegistry registry = TestRegistry.start()) {
            certs = Path.of("/etc/docker/certs.d", registry.host());
            assertTrue(Files.isRegularFile(certs.resolve("ca.crt")), "the test CA is in " + certs);
            assertTrue(registry.username().startsWith("berth-"));
            String ref = registry.host() + "/" + repo + ":1";

            String digest = registry.push(docker, TestEnv.testImage(), repo + ":1");
            assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
            assertFalse(cli(null, "image", "inspect", ref).ok(), "the pushed tag is not left on the daemon");

            Path login = Files.createTempDirectory("berth-regtest-login-");
            Path anonymous = Files.createTempDirectory("berth-regtest-anon-");
            Path wrong = Files.createTempDirectory("berth-regtest-wrong-");
            try {
                assertTrue(withStdin(login, registry.password(), "login", "-u", registry.username(), "--password-stdin",
                        registry.host()).ok());
                Files.writeString(wrong.resolve("config.json"), "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\""
                        + java.util.Base64.getEncoder().encodeToString((registry.username() + ":nope")
                        .getBytes(StandardCharsets.UTF_8)) + "\"}}}");

                Result pulled = cli(login, "pull", ref);
                assertTrue(pulled.ok(), pulled.out());
                assertTrue(pulled.out().contains(digest), "pulled the pushed digest: " + pulled.out());
                cli(null, "rmi", ref);

                // Without credentials dockerd also tries plain HTTP on loopback (see TestRegistry); either way: no image.
                Result anon = cli(anonymous, "pull", ref);
                assertFalse(anon.ok(), anon.out());
                Instant before = Instant.now();
                Result refused = cli(wrong, "pull", ref);
                assertFalse(refused.ok(), refused.out());
                assertTrue(refused.out().contains("unauthorized"), refused.out());
                List<Instant> unauthorized = registry.unauthorizedAt();
                assertEquals(1, unauthorized.stream().filter(at -> !at.isBefore(before.minusSeconds(1))).count(),
                        "one refused attempt for the wrong password: " + unauthorized);

                registry.stop();
                Result down = cli(login, "pull", ref);
                assertFalse(down.ok(), "no pull while the registry is down: " + down.out());
                registry.restart();
                Result back = cli(login, "pull", ref);
                assertTrue(back.ok(), "the same image after a restart: " + back.out());
                cli(null, "rmi", ref);
                assertTrue(registry.log().stream().anyMatch(line -> line.contains("GET /v2/" + repo + "/manifests/")),
                        "the access log shows the pulls");
            } finally {
                deleteTree(login);
                deleteTree(anonymous);
                deleteTree(wrong);
            }
        }
        assertFalse(Files.exists(certs), "close() removes " + certs);
    }

    @Test
    void pushNewGivesANewDigestEveryTime() {
        String repo = TestEnv.uniqueName("reg-test/new");
        try (TestRegistry registry = TestRegistry.start()) {
            String first = registry.pushNew(docker, repo + ":latest");
            String second = registry.pushNew(docker, repo + ":latest");
            assertNotEquals(first, second);
            assertFalse(cli(null, "image", "inspect", registry.host() + "/" + repo + ":latest").ok());
        }
    }

    record Result(boolean ok, String out) {
    }

    /** The docker CLI on the env's daemon; {@code config} null = the default one (for commands that need no login). */
    private Result cli(Path config, String... args) {
        return withStdin(config, null, args);
    }

    private Result withStdin(Path config, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(Map.of("DOCKER_HOST", docker));
        if (config != null) {
            builder.environment().put("DOCKER_CONFIG", config.toString());
        }
        try {
            Process p = builder.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "docker " + args[0] + " ended");
            return new Result(p.exitValue() == 0, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
