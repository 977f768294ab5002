package dev.berth.operator.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.store.StoredValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A changed Secret or Config rolls the containers that use it through their update strategy; the same values
 * encrypted again change nothing.
 */
class SecretRotationTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final Path keyFile = SecretBed.keyFile();
    private final SecretKeyring keyring = SecretBed.keyring(keyFile);

    /** Serves the Secret's value as its index page; start-first behind a health check. */
    private static String stack(String name, String secret) {
        return StackYaml.stack(name).declaresNetworks("front").networks("front").with("""
                secrets:
                  - {source: %s, target: /www/index.html, mode: "0444"}
                healthcheck:
                  test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"]
                  interval: 1s
                  retries: 2
                update: {strategy: start-first, drain: 5s, healthTimeout: 30s}
                """.formatted(secret)).yaml();
    }

    private static List<String> servers(TestOperator h, String route) {
        List<String> urls = new ArrayList<>();
        for (StoredValue v : h.etcd.kv.list(h.traefikRoot() + "/http/services/berth-" + route + "/").values()) {
            if (v.key().endsWith("/url")) {
                urls.add(v.value());
            }
        }
        return urls;
    }

    @Test
    void aChangedSecretRollsStartFirstWithoutAFailedRequestAndTheSameValuesChangeNothing() throws Exception {
        try (TestOperator h = TestOperator.builder().secretKeyFile(keyFile).ownTraefikRoot().build()) {
            h.start();
            String secret = h.name("page");
            String s = h.name("rot");
            String route = h.instance + "-rot";
            h.apply(SecretBed.secret(keyring, secret, Map.of("index", "one")));
            h.apply(stack(s, secret));
            h.apply(Manifest.route(route, """
                    hosts: [rot.example.test]
                    target: {stack: %s, service: web, port: 8080, network: front}
                    """.formatted(s)));
            h.awaitReady(s, 1);
            Await.until(WAIT, "the route's server in Traefik's keys", () -> servers(h, route).size() == 1);

            // The same value sealed again (a new nonce, a new revision in etcd): the pass finds the same files.
            String before = SecretBed.only(h, s).getId();
            Path dir = SecretBed.mountSource(h, before, "/www/index.html").getParent();
            Instant applied = Instant.now().minusSeconds(1);
            String stored = h.stored("secret", secret).orElseThrow();
            h.apply(SecretBed.secret(keyring, secret, Map.of("index", "one")));
            assertNotEquals(stored, h.stored("secret", secret).orElseThrow(), "re-encrypted");
            Await.until(WAIT, "a pass using the files again", () -> modified(dir).isAfter(applied));
            h.awaitReady(s, 1);
            assertEquals(before, SecretBed.only(h, s).getId(), "an unchanged secret replaces nothing");

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.Set<String> bodies = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Thread traffic = new Thread(() -> {
                while (running.get()) {
                    List<String> urls = servers(h, route);
                    if (urls.isEmpty()) {
                        failures.add("no server in the route");
                        if (failures.size() > 100) {
                            break;
                        }
                        continue;
                    }
                    String url = urls.get(ThreadLocalRandom.current().nextInt(urls.size()));
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                            bodies.add(r.body().strip());
                        } else {
                            failures.add(url + " -> " + r.statusCode());
                        }
                    } catch (Exception e) {
                        failures.add(url + " -> " + e);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                }
            });
            traffic.start();
            try {
                h.apply(SecretBed.secret(keyring, secret, Map.of("index", "two")));
                Await.until(WAIT, "the route serving the new value", () -> h.isReady(s, 1) && bodies.contains("two")
                        && servers(h, route).size() == 1, () -> h.describeStatus(s) + " servers " + servers(h, route));
            } finally {
                running.set(false);
                traffic.join();
            }
            assertEquals(List.of(), failures, "no failed request while the secret rolled");
            assertTrue(ok.get() > 10, "enough requests to mean something: " + ok.get());
            String after = SecretBed.only(h, s).getId();
            assertNotEquals(before, after, "the container was replaced");
            assertEquals("two", SecretBed.exec(h, after, null, "cat", "/www/index.html"));
        }
    }

    @Test
    void aChangedConfigRollsTheContainer() throws Exception {
        try (TestOperator h = TestOperator.builder().build()) {
            h.start();
            String config = h.name("conf");
            String s = h.name("cfg");
            h.apply(SecretBed.config(config, Map.of("app.conf", "level=1")));
            h.apply(StackYaml.stack(s).with("""
                    configs:
                      - {source: %s, target: /etc/app.conf}
                    """.formatted(config)).yaml());
            h.awaitReady(s, 1);
            String before = SecretBed.only(h, s).getId();
            assertEquals("level=1", SecretBed.exec(h, before, null, "cat", "/etc/app.conf"));
            Path source = SecretBed.mountSource(h, before, "/etc/app.conf");
            assertTrue(source.startsWith(h.stateDir(h.host).resolve("configs")), source.toString());

            h.apply(SecretBed.config(config, Map.of("app.conf", "level=2")));
            Await.until(WAIT, "a new container with the new config", () -> h.isReady(s, 1)
                    && !SecretBed.only(h, s).getId().equals(before), () -> h.describeStatus(s));
            assertEquals("level=2", SecretBed.exec(h, SecretBed.only(h, s).getId(), null, "cat", "/etc/app.conf"));
        }
    }

    private static Instant modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir).toInstant();
        } catch (java.io.IOException e) {
            return Instant.EPOCH;
        }
    }
}
