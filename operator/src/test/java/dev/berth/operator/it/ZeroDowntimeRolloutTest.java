package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that behaves like Traefik — it reads the route's servers from Traefik's keys before every request
 * — sees no failed request while the service goes through start-first updates.
 */
class ZeroDowntimeRolloutTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    @RegisterExtension
    final TestOperator h = TestOperator.builder().ownTraefikRoot().build();
    private final String root = h.traefikRoot();

    private String stack(String name, String version) {
        return StackYaml.stack(name).declaresNetworks("front").serving(version).networks("front").with("""
                healthcheck:
                  test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"]
                  interval: 1s
                  retries: 2
                update: {strategy: start-first, drain: 5s, healthTimeout: 30s}
                """).yaml();
    }

    private List<String> servers(String route) {
        List<String> urls = new ArrayList<>();
        for (StoredValue v : h.etcd.kv.list(root + "/http/services/berth-" + route + "/").values()) {
            if (v.key().endsWith("/url")) {
                urls.add(v.value());
            }
        }
        return urls;
    }

    @Test
    void aClientFollowingTheRoutesServersSeesNoFailedRequest() throws Exception {
        String s = h.name("zd");
        String route = h.instance + "-zd";
        h.apply(stack(s, "v1"));
        h.apply(Manifest.route(route, """
                hosts: [zd.example.test]
                target: {stack: %s, service: web, port: 8080, network: front}
                """.formatted(s)));
        h.awaitReady(s, 1);
        Await.until(WAIT, "the route's server in Traefik's keys", () -> servers(route).size() == 1);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.Set<String> bodies = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread traffic = new Thread(() -> {
            while (running.get()) {
                List<String> urls = servers(route);
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
                // A steady client, not a busy loop competing with the operator for the two cores.
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
        });
        traffic.start();
        try {
            for (String version : List.of("v2", "v3")) {
                h.apply(stack(s, version));
                Await.until(WAIT, "the route serving " + version, () -> h.isReady(s, 1) && bodies.contains(version)
                        && servers(route).size() == 1, () -> h.describeStatus(s) + " servers " + servers(route));
            }
        } finally {
            running.set(false);
            traffic.join();
        }
        assertEquals(List.of(), failures, "no failed request during two updates");
        assertTrue(ok.get() > 20, "enough requests to mean something: " + ok.get());
        assertTrue(bodies.containsAll(List.of("v1", "v2", "v3")), "served every version: " + bodies);
    }
}
