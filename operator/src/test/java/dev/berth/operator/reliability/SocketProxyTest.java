package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.TestRegistry;
import dev.berth.operator.secrets.SecretKeyring;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suite item 6, least privilege proven: a real operator whose only way to Docker is HAProxy running the repository's
 * {@code charts/deploy/socket-proxy.cfg}. Everything Berth does works through it (create, self-heal, a start-first
 * rollout with a graceful stop, stack networks, events, logs, a pull from a registry with credentials, a build pushed
 * there), every call it made is one of the configuration's rules and documented in socket-proxy.md, and the
 * dangerous calls outside the list (exec, kill, archive, export, privileged create, forced image removal, volumes,
 * swarm, plugins, prunes...) are answered 403 by the proxy itself.
 */
@RunsInTheFaultLane
class SocketProxyTest {
    /** Generous: on a loaded machine (the suite shares it) a container start alone can take 20 s. */
    private static final Duration WAIT = Duration.ofSeconds(240);
    /** StackYaml.HTTP_HEALTH with room for slow starts: a rollout is rolled back only after 90 s unhealthy. */
    private static final String HEALTH = StackYaml.HTTP_HEALTH.replace("healthTimeout: 20s", "healthTimeout: 90s");
    /** socket-proxy.cfg's 403 message: the refusal came from the proxy, not from Docker. */
    private static final String PROXY_REFUSAL = "refused by Berth's Docker socket proxy";
    /**
     * Rules the scenario does not reach, each with the code path that uses it. Exec is off by default (the
     * opt-in test turns it on); the collector removes images only when the disk is full (ImageCollectorTest); a stale endpoint is left only
     * by a kill at the wrong moment.
     */
    private static final Map<String, String> NOT_IN_SCENARIO = Map.of(
            "exec_create", "berth exec, opt-in (execAndPrivilegedOnlyWhenTurnedOn)",
            "exec_start", "berth exec, opt-in (execAndPrivilegedOnlyWhenTurnedOn)",
            "exec_inspect", "berth exec, opt-in (execAndPrivilegedOnlyWhenTurnedOn)",
            "image_remove", "the image collector, when Docker's disk is above --image-gc-high-percent",
            "network_disconnect", "removing a network whose endpoint outlived its container (InstrumentedDockerStaleEndpointTest)");

    /** A dangerous call: method, path and query, JSON body (or null). */
    /** A dangerous call: sent with its length, or chunked (no length for the proxy to compare with). */
    private record Call(String what, String method, String path, String body, boolean chunked) {
        Call(String what, String method, String path, String body) {
            this(what, method, path, body, false);
        }
    }

    private static final String NOWHERE = "berthproxynosuchcontainer";

    private static List<Call> dangerousCalls(String container) {
        String privileged = "{\"Image\":\"" + TestEnv.testImage() + "\",\"HostConfig\":{\"Privileged\":true,"
                + "\"Binds\":[\"/:/host\"]}}";
        return List.of(
                new Call("exec create", "POST", "/v1.41/containers/" + container + "/exec", "{\"Cmd\":[\"id\"]}"),
                new Call("exec start", "POST", "/v1.41/exec/0123456789abcdef/start", "{\"Detach\":false}"),
                new Call("kill", "POST", "/v1.41/containers/" + container + "/kill", null),
                new Call("restart", "POST", "/v1.41/containers/" + container + "/restart", null),
                new Call("pause", "POST", "/v1.41/containers/" + container + "/pause", null),
                new Call("update", "POST", "/v1.41/containers/" + container + "/update", "{\"Memory\":0}"),
                new Call("attach", "POST", "/v1.41/containers/" + container + "/attach?stream=1&stdin=1", null),
                new Call("archive read", "GET", "/v1.41/containers/" + container + "/archive?path=/etc", null),
                new Call("archive write", "PUT", "/v1.41/containers/" + container + "/archive?path=/tmp", ""),
                new Call("export", "GET", "/v1.41/containers/" + container + "/export", null),
                new Call("commit", "POST", "/v1.41/commit?container=" + container, null),
                new Call("privileged create", "POST", "/v1.41/containers/create?name=" + NOWHERE, privileged),
                new Call("privileged create, lower case", "POST", "/v1.41/containers/create?name=" + NOWHERE,
                        privileged.replace("Privileged", "privileged")),
                new Call("privileged create, escaped key", "POST", "/v1.41/containers/create?name=" + NOWHERE,
                        privileged.replace("Privileged", "\\u0050rivileged")),
                new Call("privileged create, unversioned", "POST", "/containers/create?name=" + NOWHERE, privileged),
                new Call("dot segments", "POST", "/v1.41/images/a/../../containers/" + container + "/kill?x=/tag", null),
                new Call("privileged create, chunked past what the proxy reads", "POST",
                        "/v1.41/containers/create?name=" + NOWHERE, "{\"Image\":\"" + TestEnv.testImage()
                        + "\",\"Env\":[\"PAD=" + "x".repeat(300_000) + "\"],\"HostConfig\":{\"Privileged\":true}}", true),
                new Call("privileged start on an old API version", "POST", "/v1.23/containers/" + container + "/start",
                        "{\"Privileged\":true,\"Binds\":[\"/:/host\"]}"),
                new Call("forced image delete", "DELETE", "/v1.41/images/" + NOWHERE + ":1?force=true", null),
                new Call("forced image delete, force=yes", "DELETE", "/v1.41/images/" + NOWHERE + ":1?force=yes", null),
                new Call("forced image delete, encoded name", "DELETE", "/v1.41/images/" + NOWHERE + ":1?forc%65=1", null),
                new Call("image import, encoded name", "POST", "/v1.41/images/create?from%53rc=-&repo=" + NOWHERE, ""),
                new Call("build from a URL, encoded name", "POST", "/v1.41/build?remot%65=http://127.0.0.1:1/x.tar", ""),
                new Call("image import", "POST", "/v1.41/images/create?fromSrc=-&repo=" + NOWHERE, ""),
                new Call("image load", "POST", "/v1.41/images/load", ""),
                new Call("image export", "GET", "/v1.41/images/" + TestEnv.testImage() + "/get", null),
                new Call("image tag", "POST", "/v1.41/images/" + TestEnv.testImage() + "/tag?repo=" + NOWHERE + "&tag=1",
                        null),
                new Call("image search", "GET", "/v1.41/images/search?term=busybox", null),
                new Call("build from a URL", "POST", "/v1.41/build?remote=http://127.0.0.1:1/x.tar", ""),
                new Call("build on the host network", "POST", "/v1.41/build?networkmode=host", ""),
                new Call("volume list", "GET", "/v1.41/volumes", null),
                new Call("volume create", "POST", "/v1.41/volumes/create", "{\"Name\":\"" + NOWHERE + "\"}"),
                new Call("volume delete", "DELETE", "/v1.41/volumes/" + NOWHERE, null),
                new Call("swarm init", "POST", "/v1.41/swarm/init", "{\"ListenAddr\":\"127.0.0.1:1\"}"),
                new Call("swarm inspect", "GET", "/v1.41/swarm", null),
                new Call("services", "GET", "/v1.41/services", null),
                new Call("secrets", "GET", "/v1.41/secrets", null),
                new Call("plugins", "GET", "/v1.41/plugins", null),
                new Call("plugin install", "POST", "/v1.41/plugins/pull?remote=" + NOWHERE, "[]"),
                new Call("container prune", "POST", "/v1.41/containers/prune", null),
                new Call("image prune", "POST", "/v1.41/images/prune", null),
                new Call("network prune", "POST", "/v1.41/networks/prune", null),
                new Call("volume prune", "POST", "/v1.41/volumes/prune", null),
                new Call("build cache prune", "POST", "/v1.41/build/prune", null),
                new Call("system df", "GET", "/v1.41/system/df", null),
                new Call("registry login", "POST", "/v1.41/auth", "{}"),
                new Call("session", "POST", "/v1.41/session", null),
                new Call("version", "GET", "/v1.41/version", null));
    }

    @Test
    void berthWorksThroughTheProxyAndEveryOtherCallIsRefused(@TempDir Path dir) throws Exception {
        int allowedSeen = 0;
        int wronglyRefused = 0;
        int wronglyAllowed = 0;
        int dangerous = 0;
        List<String> problems = new ArrayList<>();
        Path keyFile = Files.createFile(dir.resolve("key"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, SecretKeyring.newKeyLine() + "\n");
        SecretKeyring keyring = SecretKeyring.load(keyFile);
        try (SocketProxy proxy = SocketProxy.start(Map.of());
             TestRegistry registry = TestRegistry.start()) {
            try (TestOperator h = TestOperator.builder().dockerHost(proxy.dockerHost()).secretKeyFile(keyFile).api().build()) {
                h.start();
                String keep = runScenario(h, proxy, registry, keyring, dir);
                h.stopOperator();

                List<SocketProxy.Request> berth = proxy.requests();
                for (SocketProxy.Request r : berth) {
                    if (!r.rule().isEmpty()) {
                        allowedSeen++;
                    } else if (!(r.method().equals("POST") && r.path().matches("/v1\\.41/containers/[^/]+/exec"))) {
                        // berth exec is the one call of Berth's the default configuration refuses, by design
                        wronglyRefused++;
                        problems.add("Berth's call refused: " + r);
                    }
                }
                checkAgainstTheRules(berth, problems);

                for (Call c : dangerousCalls(keep)) {
                    dangerous++;
                    HttpResponse<String> answer = proxy.send(c.method(), c.path(), c.body(), c.chunked());
                    if (answer.statusCode() != 403 || !answer.body().contains(PROXY_REFUSAL)) {
                        wronglyAllowed++;
                        problems.add("passed the proxy: " + c.what() + " " + c.method() + " " + c.path() + " -> "
                                + answer.statusCode() + " " + answer.body().strip());
                    }
                }
                assertTrue(Boolean.TRUE.equals(h.docker.inspectContainerCmd(keep).exec().getState().getRunning()),
                        "the container the dangerous calls aimed at still runs");
            } finally {
                removeIfCreated(NOWHERE);
                registry.removeLocalImages(TestEnv.dockerHost());
            }
        } finally {
            Figures.ofRun().record(new Figure("least privilege (socket proxy)", allowedSeen + dangerous,
                    wronglyAllowed + wronglyRefused, "Berth's calls " + allowedSeen + ", refused " + wronglyRefused
                    + " / dangerous calls refused " + (dangerous - wronglyAllowed) + " of " + dangerous));
        }
        assertEquals(List.of(), problems);
    }

    /**
     * The opt-ins: with BERTH_EXEC=1 {@code berth exec} works through the proxy (exec create, start, inspect), and
     * with BERTH_PRIVILEGED=1 a privileged service's container is created (this machine's runc may not start one:
     * the test runs in a container without every capability); the rules used are the documented exec ones.
     */
    @Test
    void execAndPrivilegedOnlyWhenTurnedOn() throws Exception {
        try (SocketProxy proxy = SocketProxy.start(Map.of("BERTH_EXEC", "1", "BERTH_PRIVILEGED", "1"));
             TestOperator h = TestOperator.builder().dockerHost(proxy.dockerHost()).api().build()) {
            h.start();
            String s = h.name("run");
            h.apply(StackYaml.stack(s).yaml());
            awaitReady(h, s, 1);
            String privileged = h.name("priv");
            h.apply(StackYaml.stack(privileged).with("privileged: true").yaml());
            Await.until(WAIT, privileged + " created privileged", () -> h.containers(privileged).stream()
                    .anyMatch(c -> isPrivileged(h, c.getId())), () -> h.describeStatus(privileged));
            h.delete(privileged);
            CliRun exec = CliRun.raw("exec", "--etcd-endpoints=" + h.etcd.settings.describeEndpoints(),
                    "--prefix=" + h.etcd.prefix, "stack/" + s + "/web", "--", "sh", "-c", "echo through-the-proxy; exit 3");
            assertEquals(3, exec.exit(), exec.out() + exec.err());
            assertEquals("through-the-proxy\n", exec.out());
            h.stopOperator();
            Set<String> rules = proxy.requests().stream().map(SocketProxy.Request::rule).collect(Collectors.toSet());
            assertTrue(rules.containsAll(Set.of("exec_create", "exec_start", "exec_inspect")), rules.toString());
            assertEquals(List.of(), proxy.requests().stream().filter(SocketProxy.Request::refusedByProxy).toList());
        }
    }

    private static void awaitReady(TestOperator h, String stack, int containers) {
        Await.until(WAIT, stack + " Ready with " + containers + " running", () -> h.isReady(stack, containers),
                () -> h.describeStatus(stack));
    }

    private static boolean isPrivileged(TestOperator h, String id) {
        try {
            return Boolean.TRUE.equals(h.docker.inspectContainerCmd(id).exec().getHostConfig().getPrivileged());
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return false; // removed meanwhile (its start failed and Berth retries)
        }
    }

    /** A privileged create that wrongly passed must not stay behind. */
    private static void removeIfCreated(String name) {
        try (var docker = dev.berth.reconcilers.docker.DockerClients.connect(TestEnv.dockerHost())) {
            docker.removeContainerCmd(name).withForce(true).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            // refused, as it should be
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * What an operator does on one host, each step waited for; returns the id of a running container of Berth's
     * (the dangerous calls aim at it).
     */
    private static String runScenario(TestOperator h, SocketProxy proxy, TestRegistry registry, SecretKeyring keyring,
                                      Path dir)
            throws Exception {
        String web = h.name("web");
        StackYaml spec = StackYaml.stack(web).declaresNetworks("front", "back").replicas(2)
                .networks("front", "back").with(HEALTH).with("stopGracePeriod: 2s");
        h.apply(spec.yaml());
        awaitReady(h, web, 2);

        // Self-heal: a container removed behind Berth's back comes back (the event stream or the resync).
        Container gone = h.containers(web).get(0);
        h.docker.removeContainerCmd(gone.getId()).withForce(true).exec();
        Await.until(WAIT, web + " healed", () -> h.isReady(web, 2)
                && h.containers(web).stream().noneMatch(c -> c.getId().equals(gone.getId())), () -> h.describeStatus(web));

        // A network someone else creates: network events carry no labels, so Berth inspects it, finds it is not
        // its own, and leaves it alone. (Without this step the rule was used only when another test's network
        // event happened to fall in the event feed's window.) Made and removed straight on dockerd, not through
        // the proxy (h.docker's way), so the proxy's log holds only Berth's calls.
        try (var direct = dev.berth.reconcilers.docker.DockerClients.connect(TestEnv.dockerHost())) {
            String foreignId = direct.createNetworkCmd().withName(h.name("foreign")).exec().getId();
            try {
                Await.until(WAIT, "Berth inspected the network it did not create", () -> proxy.requests().stream()
                        .anyMatch(r -> r.rule().equals("network_inspect") && r.path().contains("/networks/" + foreignId)));
                assertEquals(foreignId, direct.inspectNetworkCmd().withNetworkId(foreignId).exec().getId());
            } finally {
                direct.removeNetworkCmd(foreignId).exec();
            }
        }

        // A start-first rollout (health-checked, no fixed port): new container under a temporary name, renamed, the
        // old one stopped gracefully (stopGracePeriod) and removed.
        Set<String> before = h.containers(web).stream().map(Container::getId).collect(Collectors.toSet());
        h.apply(spec.with("env: {ROLLOUT: \"2\"}").yaml());
        // Rolled out: the old containers gone and the replacements under their final names (the status berth logs
        // reads names a replacement "-next" until it is renamed).
        Await.until(WAIT, web + " rolled out", () -> h.isReady(web, 2)
                && h.containers(web).stream().noneMatch(c -> before.contains(c.getId())
                        || Arrays.stream(c.getNames()).anyMatch(n -> n.contains("-next")))
                && !h.describeStatus(web).contains("-next"), () -> h.describeStatus(web));

        CliRun logs = h.cli("logs", "stack/" + web + "/web", "--tail", "5");
        assertEquals(0, logs.exit(), logs.out() + logs.err());
        CliRun exec = CliRun.raw("exec", "--etcd-endpoints=" + h.etcd.settings.describeEndpoints(),
                "--prefix=" + h.etcd.prefix, "stack/" + web + "/web", "--", "true");
        assertEquals(125, exec.exit(), "berth exec is off behind the default proxy: " + exec.out() + exec.err());
        assertEquals(1, exec.err().strip().lines().count(), "one line: " + exec.err());
        assertTrue(exec.err().contains(PROXY_REFUSAL), exec.err());
        System.out.println("berth exec behind the default proxy: " + exec.err().strip());

        // A pull with credentials from a registry, then a build pushed to it.
        String secret = h.name("reg");
        h.apply(Manifest.of("Secret", secret, """
                type: Registry
                registry: "%s"
                encryptedData:
                  username: "%s"
                  password: "%s"
                """.formatted(registry.host(),
                keyring.encrypt(secret, "username", registry.username().getBytes(StandardCharsets.UTF_8)),
                keyring.encrypt(secret, "password", registry.password().getBytes(StandardCharsets.UTF_8)))));
        String repo = TestEnv.uniqueName("proxy");
        registry.push(TestEnv.dockerHost(), TestEnv.testImage(), repo + ":1");
        String pulled = h.name("pulled");
        h.apply(StackYaml.stack(pulled).image(registry.host() + "/" + repo + ":1").yaml());
        awaitReady(h, pulled, 1);

        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + TestEnv.testImage() + "\nLABEL berth.test=" + repo + "\n");
        String built = h.name("built");
        h.apply(StackYaml.stack(built).image(registry.host() + "/" + repo + "-built")
                .with("build: {context: " + context + "}").yaml());
        awaitReady(h, built, 1);

        // A deleted stack: its containers and its default network go.
        h.delete(pulled);
        Await.until(WAIT, pulled + " removed with its network", () -> h.containers(pulled).isEmpty()
                && proxy.requests().stream().anyMatch(r -> r.rule().equals("network_remove")), () -> h.describeStatus(pulled));
        return h.running(web).get(0).getId();
    }

    /**
     * Every call Berth made is one of the configuration's rules, every rule it used is documented, and every rule
     * was used here or is named with the feature that uses it.
     */
    private static void checkAgainstTheRules(List<SocketProxy.Request> berth, List<String> problems) throws Exception {
        Map<String, String> rules = SocketProxyRules.ofConfig(Files.readString(SocketProxy.config()));
        Map<String, String> documented = SocketProxyRules.ofDoc(Files.readString(SocketProxy.deployFile("socket-proxy.md")));
        Map<String, Integer> used = new TreeMap<>();
        for (SocketProxy.Request r : berth) {
            if (!r.rule().isEmpty()) {
                used.merge(r.rule(), 1, Integer::sum);
                if (!r.method().equals(rules.get(r.rule()))) {
                    problems.add("logged rule " + r.rule() + " is not a " + r.method() + " rule of the configuration");
                }
                if (!documented.containsKey(r.rule())) {
                    problems.add("rule " + r.rule() + " used by Berth but not in socket-proxy.md");
                }
            }
        }
        Set<String> unused = new TreeSet<>(rules.keySet());
        unused.removeAll(used.keySet());
        if (!unused.equals(NOT_IN_SCENARIO.keySet().stream().collect(Collectors.toCollection(TreeSet::new)))) {
            problems.add("rules unused by the scenario " + unused + ", expected only " + new TreeSet<>(NOT_IN_SCENARIO.keySet()));
        }
        System.out.println("socket proxy: Berth's calls by rule " + used);
    }
}
