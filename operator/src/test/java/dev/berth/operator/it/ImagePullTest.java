package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import dev.berth.crds.status.Condition;
import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.TestRegistry;
import dev.berth.operator.images.ImagePinStore;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.secrets.SecretKeyring;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pulls from a real registry (distribution 2.8, TLS, htpasswd) by a real operator on the real dockerd: pull policy,
 * pinned digests, credentials from a Registry Secret, failures in the status with the registry's own message, and the
 * password nowhere a user could read it.
 */
class ImagePullTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /**
     * The product's shape (doubling, jittered by 20 %) from a shorter start and cap, for the tests that wait through
     * several failed pulls: the default's fourth try comes about 10 s in, and the one after a fix up to 14 s later.
     * The third wait (3.2–4.8 s) still exceeds twice the first (0.8–1.2 s) by 0.8 s or more.
     */
    private static final RetryPolicy QUICK_PULL_RETRIES = new RetryPolicy(Duration.ofSeconds(1), 2.0, 0.2,
            Duration.ofSeconds(5));
    private static TestRegistry registry;
    private static Path keyFile;
    private static SecretKeyring keyring;

    @BeforeAll
    static void startRegistry() throws IOException, SecretKeyException {
        registry = TestRegistry.start();
        keyFile = Files.createTempFile("berth-key-", ".txt",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        keyFile.toFile().deleteOnExit();
        Files.writeString(keyFile, SecretKeyring.newKeyLine() + "\n");
        keyring = SecretKeyring.load(keyFile);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            // By name, never by id: what was pushed from the test image shares its id, and removing the id would
            // take the shared test image away from every other test.
            registry.removeLocalImages(TestEnv.dockerHost());
            registry.close();
        }
    }

    private static String secret(String name, String username, String password) {
        return Manifest.of("Secret", name, """
                type: Registry
                registry: "%s"
                encryptedData:
                  username: "%s"
                  password: "%s"
                """.formatted(registry.host(), keyring.encrypt(name, "username", username.getBytes(StandardCharsets.UTF_8)),
                keyring.encrypt(name, "password", password.getBytes(StandardCharsets.UTF_8))));
    }

    private static String repo(String stem) {
        return TestEnv.uniqueName(stem);
    }

    /** Whether the daemon has an image by this name (tag or digest). */
    private static boolean present(TestOperator h, String ref) {
        try {
            h.docker.inspectImageCmd(ref).exec();
            return true;
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return false;
        }
    }

    private static String imageOf(TestOperator h, Container c) {
        return h.docker.inspectContainerCmd(c.getId()).exec().getConfig().getImage();
    }

    private static Set<String> ids(List<Container> containers) {
        return containers.stream().map(Container::getId).collect(Collectors.toSet());
    }

    private static Condition condition(TestOperator h, String stack, String type) {
        return h.status(stack).flatMap(s -> s.condition(type)).orElse(null);
    }

    @Test
    void anImageOnlyInTheRegistryIsPulledPinnedAndRunsWhileNeverKeepsImageNotFound() throws IOException {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            String repo = repo("pull");
            String digest = registry.push(h.dockerHost, TestEnv.testImage(), repo + ":1");
            String image = registry.host() + "/" + repo + ":1";
            assertFalse(present(h, image), "not on the host before");
            h.start();
            h.apply(secret(h.name("reg"), registry.username(), registry.password()));
            String s = h.name("pulled");
            Set<String> reasons = ConcurrentHashMap.newKeySet();
            h.apply(StackYaml.stack(s).image(image).yaml());
            Await.until(WAIT, s + " Ready, pulled", () -> {
                Condition p = condition(h, s, Condition.PROGRESSING);
                if (p != null) {
                    reasons.add(p.reason() + ": " + p.message());
                }
                return h.isReady(s, 1);
            }, () -> h.describeStatus(s));
            String pinned = registry.host() + "/" + repo + "@" + digest;
            assertEquals(pinned, imageOf(h, h.containers(s).get(0)), "the container runs the pinned digest");
            assertEquals(pinned, new ImagePinStore(h.etcd.kv, h.keys()).read(s).get("web").ref());
            assertEquals(h.host, new ImagePinStore(h.etcd.kv, h.keys()).read(s).get("web").host());
            // Seen only if a pass ran during the pull (a pull of a small image may end first): informative.
            System.out.println("Progressing reasons seen while pulling: " + reasons);
            reasons.stream().filter(r -> r.startsWith("Pulling")).forEach(r -> assertTrue(r.contains(image), r));

            String never = h.name("never");
            String other = registry.host() + "/" + repo + ":never";
            registry.push(h.dockerHost, TestEnv.testImage(), repo + ":never");
            h.apply(StackYaml.stack(never).image(other).with("imagePullPolicy: Never").yaml());
            h.awaitDegraded(never);
            assertEquals("ImageNotFound", h.degradedReason(never).orElseThrow());
            assertFalse(present(h, other), "Never pulls nothing");
        }
    }

    @Test
    void aWrongPasswordFailsWithUnauthorizedAndGrowingDelaysAndFixingTheSecretRecovers() throws IOException {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile)
                .pullBackoff(QUICK_PULL_RETRIES).build()) {
            String repo = repo("auth");
            String digest = registry.push(h.dockerHost, TestEnv.testImage(), repo + ":1");
            h.start();
            String secret = h.name("reg");
            h.apply(secret(secret, registry.username(), "wrong-" + registry.password()));
            String s = h.name("auth");
            int before = registry.unauthorizedAt().size();
            h.apply(StackYaml.stack(s).image(registry.host() + "/" + repo + ":1").yaml());
            h.awaitDegraded(s);
            Condition degraded = condition(h, s, Condition.DEGRADED);
            assertEquals("ImagePullFailed", degraded.reason());
            assertTrue(degraded.message().contains("unauthorized"), degraded.message());
            assertTrue(h.containers(s).isEmpty());

            Await.until(WAIT, "four refused pulls", () -> registry.unauthorizedAt().size() - before >= 4,
                    () -> registry.unauthorizedAt().toString());
            List<Instant> at = registry.unauthorizedAt().subList(before, before + 4);
            Duration first = Duration.between(at.get(0), at.get(1));
            Duration third = Duration.between(at.get(2), at.get(3));
            assertTrue(first.toMillis() >= 500, "no hot loop: " + at);
            assertTrue(third.compareTo(first.multipliedBy(2)) > 0, "the delays grow: " + at);

            // Fixed without restarting the operator: picked up at the next retry.
            h.apply(secret(secret, registry.username(), registry.password()));
            Await.until(WAIT, s + " Ready after the fix", () -> h.isReady(s, 1), () -> h.describeStatus(s));
            assertEquals(registry.host() + "/" + repo + "@" + digest, imageOf(h, h.containers(s).get(0)));
            assertEquals("False", condition(h, s, Condition.DEGRADED).status());
        }
    }

    @Test
    void aRegistryDownFailsThePullAndKeepsWhatRunsUntilItIsBack() throws IOException {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile)
                .pullBackoff(QUICK_PULL_RETRIES).build()) {
            String repo = repo("down");
            String first = registry.push(h.dockerHost, TestEnv.testImage(), repo + ":1");
            String second = registry.pushNew(h.dockerHost, repo + ":2");
            h.start();
            h.apply(secret(h.name("reg"), registry.username(), registry.password()));
            String s = h.name("down");
            h.apply(StackYaml.stack(s).image(registry.host() + "/" + repo + ":1").replicas(2).yaml());
            h.awaitReady(s, 2);
            Set<String> running = ids(h.containers(s));
            try {
                registry.stop();
                h.apply(StackYaml.stack(s).image(registry.host() + "/" + repo + ":2").replicas(2).yaml());
                Await.until(WAIT, s + " Degraded ImagePullFailed",
                        () -> "ImagePullFailed".equals(h.degradedReason(s).orElse("")), () -> h.describeStatus(s));
                assertTrue(condition(h, s, Condition.DEGRADED).message().contains(repo + ":2")
                        || condition(h, s, Condition.DEGRADED).message().contains("refused"),
                        condition(h, s, Condition.DEGRADED).message());
                assertEquals(running, ids(h.running(s)), "the containers that ran are untouched");
                h.containers(s).forEach(c -> assertEquals(registry.host() + "/" + repo + "@" + first, imageOf(h, c)));
            } finally {
                registry.restart();
            }
            Await.until(WAIT, s + " on the new image once the registry is back", () -> h.isReady(s, 2)
                    && h.containers(s).stream().allMatch(c -> (registry.host() + "/" + repo + "@" + second)
                    .equals(imageOf(h, c))), () -> h.describeStatus(s));
        }
    }

    @Test
    void thePasswordIsNeverInInspectLogsStatusOrTheCommandLine() throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            String repo = repo("hide");
            registry.push(h.dockerHost, TestEnv.testImage(), repo + ":1");
            registry.push(h.dockerHost, TestEnv.testImage(), repo + ":2");
            String secret = h.name("reg");
            String wrong = "not-" + registry.password();
            h.apply(secret(secret, registry.username(), wrong));
            File log = new File("target/image-pull-" + h.instance + ".log");
            Process operator = new ProcessBuilder(h.processCommand(h.host, List.of(), "--listen", "127.0.0.1:0"))
                    .redirectErrorStream(true).redirectOutput(log).start();
            try {
                String failing = h.name("failing");
                h.apply(StackYaml.stack(failing).image(registry.host() + "/" + repo + ":2").yaml());
                Await.until(WAIT, failing + " Degraded ImagePullFailed",
                        () -> "ImagePullFailed".equals(h.degradedReason(failing).orElse("")),
                        () -> h.describeStatus(failing));
                h.apply(secret(secret, registry.username(), registry.password()));
                String s = h.name("hide");
                h.apply(StackYaml.stack(s).image(registry.host() + "/" + repo + ":1").yaml());
                h.awaitReady(s, 1);
                Await.until(WAIT, failing + " Ready after the fix", () -> h.isReady(failing, 1),
                        () -> h.describeStatus(failing));

                Set<String> passwords = Set.of(registry.password(), wrong);
                String inspect = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                        .writeValueAsString(h.docker.inspectContainerCmd(h.containers(s).get(0).getId()).exec());
                String cmdline = Files.readString(Path.of("/proc", Long.toString(operator.pid()), "cmdline"))
                        .replace('\0', ' ');
                String output = Files.readString(log.toPath());
                StringBuilder etcd = new StringBuilder();
                h.etcd.kv.list(h.keys().base()).values().forEach(v -> etcd.append(v.key()).append('=')
                        .append(v.value()).append('\n'));
                assertTrue(output.contains(failing) && output.contains("unauthorized"),
                        "the capture has the operator's lines about the failed pull");
                assertTrue(etcd.toString().contains("ImagePullFailed"), "the status of the failed pull was there");
                for (String password : passwords) {
                    assertFalse(inspect.contains(password), "not in docker inspect");
                    assertFalse(cmdline.contains(password), "not on the operator's command line");
                    assertFalse(output.contains(password), "not in the operator's output");
                    assertFalse(etcd.toString().contains(password), "not in etcd (objects, status, pins)");
                }
            } finally {
                operator.destroy();
                if (!operator.waitFor(20, TimeUnit.SECONDS)) {
                    operator.destroyForcibly();
                }
            }
        }
    }

    @Test
    void theRestartAnnotationRollsEveryServiceAndResolvesTheTagAgain() throws IOException {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).build()) {
            String repo = repo("restart");
            String first = registry.push(h.dockerHost, TestEnv.testImage(), repo + ":1");
            h.start();
            h.apply(secret(h.name("reg"), registry.username(), registry.password()));
            String s = h.name("restart");
            StackYaml stack = StackYaml.stack(s).image(registry.host() + "/" + repo + ":1").replicas(2)
                    .service("local").replicas(1);
            h.apply(stack.yaml());
            h.awaitReady(s, 3);
            Set<String> before = ids(h.containers(s));
            // pushNew leaves nothing by that tag on the host: the restart's new pin generation pulls it (IfNotPresent).
            String second = registry.pushNew(h.dockerHost, repo + ":1");
            h.apply(stack.metadata("annotations: {" + dev.berth.crds.stack.StackAnnotations.RESTARTED_AT
                    + ": \"2026-12-02T08:00:00Z\"}").yaml());
            Await.until(WAIT, "every replica replaced, the registry's on the new digest", () -> h.isReady(s, 3)
                    && ids(h.containers(s)).stream().noneMatch(before::contains)
                    && h.containers(s).stream().filter(c -> "web".equals(c.getLabels().get("berth.dev/service")))
                    .allMatch(c -> (registry.host() + "/" + repo + "@" + second).equals(imageOf(h, c))),
                    () -> h.describeStatus(s) + " " + h.containers(s).stream().map(c -> imageOf(h, c)).toList());
            h.containers(s).forEach(c -> assertEquals("2026-12-02T08:00:00Z",
                    c.getLabels().get(dev.berth.crds.stack.StackAnnotations.RESTARTED_AT)));
            assertTrue(!first.equals(second));
        }
    }
}
