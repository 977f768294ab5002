package dev.berth.operator.observability;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Operator;
import dev.berth.operator.TestEnv;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.StatusCodec;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real operator in this JVM against the real dockerd and etcd, on its own etcd prefix and managed-by instance
 * (the same isolation as the it/ harness). close() removes exactly what this run's instance labelled.
 */
final class OperatorUnderTest implements AutoCloseable {
    final String instance = TestEnv.uniqueName("bm");
    final String host = "host-" + instance;
    final EtcdFixture etcd = new EtcdFixture(TestEnv.etcdEndpoints());
    final DockerClient docker = DockerClients.connect(TestEnv.dockerHost());
    private Operator operator;

    OperatorUnderTest start() throws IOException {
        operator = new Operator(new Operator.Settings(host, Map.of(),
                new EtcdSettings(List.of(TestEnv.etcdEndpoints().split(",")), null, null, null, null, null,
                        Duration.ofSeconds(5)),
                etcd.keys, TestEnv.dockerHost(), instance, new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(2),
                4, 5, new RetryPolicy(Duration.ofMillis(200), 2.0, 0.2, Duration.ofSeconds(3)), "test",
                Operator.Underlay.none()));
        operator.start();
        return this;
    }

    Operator operator() {
        return operator;
    }

    int port() {
        return operator.httpPort();
    }

    void stopOperator() {
        if (operator != null) {
            operator.close();
            operator = null;
        }
    }

    String stack(String suffix) {
        return instance + "-" + suffix;
    }

    void apply(String yaml) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("test.yaml", yaml);
        if (!parsed.ok()) {
            throw new AssertionError("test manifest invalid: " + parsed.errors());
        }
        etcd.store.apply(parsed.resources());
    }

    String stackYaml(String name, String image) {
        return """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: %s
                spec:
                  services:
                    - name: web
                      image: %s
                      command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                      init: true
                """.formatted(name, image);
    }

    List<Container> containers(String stack) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance, BerthLabels.OWNER, "stack/" + stack)).exec();
    }

    Optional<ObjectStatus> status(String stack) {
        return etcd.kv.get(etcd.keys.status("stack", stack, host)).flatMap(v -> new StatusCodec().read(v.value()));
    }

    void awaitReady(String stack) {
        Await.until(Duration.ofSeconds(90), stack + " Ready with its container running",
                () -> status(stack).map(ObjectStatus::ready).orElse(false)
                        && containers(stack).stream().anyMatch(c -> "running".equals(c.getState())),
                () -> status(stack).map(Object::toString).orElse("no status"));
    }

    void awaitDegraded(String stack) {
        Await.until(Duration.ofSeconds(90), stack + " Degraded",
                () -> status(stack).flatMap(s -> s.condition("Degraded")).map(c -> c.isTrue()).orElse(false),
                () -> status(stack).map(Object::toString).orElse("no status"));
    }

    /** The operator's /metrics body, fetched over HTTP like Prometheus does. */
    String scrape() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port() + "/metrics")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sum of the samples of a metric whose label text contains every given fragment. */
    double metric(String name, String... labelFragments) {
        return scrape().lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labelFragments).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Override
    public void close() {
        stopOperator();
        for (Container c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance)).exec()) {
            docker.removeContainerCmd(c.getId()).withForce(true).exec();
        }
        docker.listNetworksCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + instance)).exec()
                .forEach(n -> docker.removeNetworkCmd(n.getId()).exec());
        etcd.close();
        try {
            docker.close();
        } catch (IOException e) {
            // nothing left to clean
        }
    }
}
