package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.berth.operator.Manifest.route;

import com.github.dockerjava.api.model.Container;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Labels mode on real containers, and one leader writing Traefik's keys among two operators. */
class RouteLabelsAndLeaderTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Optional<ObjectStatus> status(TestOperator h, String route) {
        return h.etcd.kv.list(h.keys().statusPrefix("route", route)).values().stream().findFirst()
                .flatMap(v -> new StatusCodec().read(v.value()));
    }

    @Test
    void labelsModePutsTraefikLabelsOnTheTargetContainers() throws Exception {
        try (TestOperator h = TestOperator.builder().ownTraefikRoot().build()) {
            String root = h.traefikRoot();
            h.start();
            String s = h.name("lbl");
            h.apply(StackYaml.stack(s).declaresNetworks("front", "back").networks("front", "back").yaml());
            h.awaitReady(s, 1);
            h.apply(route("site", """
                    mode: labels
                    hosts: [site.example]
                    entryPoints: [web]
                    middlewares: [{name: gz, compress: {}}]
                    target: {stack: %s, service: web, port: 8080, network: back}
                    """.formatted(s)).replace(", network: back", ""));
            Await.until(WAIT, "the container replaced with Traefik's labels", () -> h.running(s).size() == 1
                    && "true".equals(h.running(s).get(0).getLabels().get("traefik.enable")), () -> h.describeStatus(s));
            Container c = h.running(s).get(0);
            Map<String, String> labels = c.getLabels();
            assertEquals("Host(`site.example`)", labels.get("traefik.http.routers.berth-site.rule"));
            assertEquals("web", labels.get("traefik.http.routers.berth-site.entrypoints"));
            assertEquals("berth-site_gz", labels.get("traefik.http.routers.berth-site.middlewares"));
            assertEquals("8080", labels.get("traefik.http.services.berth-site.loadbalancer.server.port"));
            assertEquals("1024", labels.get("traefik.http.middlewares.berth-site_gz.compress.minresponsebodybytes"));
            assertEquals(s + "_front", labels.get("traefik.docker.network"), "a container on two networks names one");
            Await.until(WAIT, "route Ready in labels mode", () -> status(h, "site").map(ObjectStatus::ready).orElse(false),
                    () -> status(h, "site").toString());
            assertTrue(h.etcd.kv.list(root + "/").values().isEmpty(), "labels mode writes no KV keys");

            h.delete("Route", "site");
            Await.until(WAIT, "labels gone with the route", () -> h.running(s).size() == 1
                    && !h.running(s).get(0).getLabels().containsKey("traefik.enable"), () -> h.describeStatus(s));
        }
    }

    @Test
    void onlyTheLeaderWritesAndAnotherTakesOver() throws Exception {
        try (TestOperator a = TestOperator.builder().ownTraefikRoot().build()) {
            String root = a.traefikRoot();
            try (TestOperator b = TestOperator.builder().etcd(a.etcd).routes(root, "127.0.0.1").build()) {
                a.start();
                b.start();
                String s = a.name("ha");
                int port = dev.berth.operator.FreePorts.one();
                a.apply(StackYaml.stack(s).onHosts(List.of(a.host))
                        .with("ports: [{target: 8080, published: " + port + ", hostIp: 127.0.0.1}]").yaml());
                a.apply(route("ha", "hosts: [ha.example]\ntarget: {stack: " + s + ", service: web, port: 8080}"));
                Await.until(WAIT, "route written with the server on host a", () -> a.etcd.kv
                        .get(root + "/http/services/berth-ha/loadBalancer/servers/0/url").isPresent(),
                        () -> status(a, "ha").toString());
                List<StoredValue> candidates = a.etcd.kv.list(a.keys().base() + "elections/routes").values();
                assertEquals(2, candidates.size(), "both operators campaign");
                String leader = status(a, "ha").orElseThrow().host();
                assertEquals(candidates.stream().min(java.util.Comparator.comparingLong(StoredValue::createRevision))
                        .orElseThrow().value(), leader, "the status is written by the elected leader only");
                assertEquals(1, a.etcd.kv.list(a.keys().statusPrefix("route", "ha")).values().size());

                TestOperator follower = leader.equals(a.host) ? b : a;
                (leader.equals(a.host) ? a : b).stopOperator();
                a.apply(route("ha", "hosts: [ha2.example]\ntarget: {stack: " + s + ", service: web, port: 8080}"));
                Await.until(WAIT, "the other operator leads and writes the changed rule", () -> a.etcd.kv
                        .get(root + "/http/routers/berth-ha/rule").map(v -> v.value().equals("Host(`ha2.example`)")).orElse(false)
                        && a.etcd.kv.list(a.keys().statusPrefix("route", "ha")).values().stream()
                        .map(StoredValue::key).toList().equals(List.of(a.keys().status("route", "ha", follower.host))),
                        () -> a.etcd.snapshot().toString());
                // The Route is gone: so is its status, whoever wrote it.
                a.delete("Route", "ha");
                Await.until(WAIT, "the route's keys and status gone", () -> a.etcd.kv.list(root + "/").values().isEmpty()
                        && a.etcd.kv.list(a.keys().statusPrefix("route", "ha")).values().isEmpty(),
                        () -> a.etcd.snapshot().toString());
            }
        }
    }
}
