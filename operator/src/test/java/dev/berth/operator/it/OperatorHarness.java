package dev.berth.operator.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.ParseResult;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Operator;
import dev.berth.operator.TestEnv;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.KeyLayout;
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
 * A real operator in this JVM against the real dockerd and etcd, on its own etcd prefix and its own
 * managed-by instance, so it only ever sees (and deletes) what this test created. close() removes exactly
 * the containers and networks labelled with this run's instance.
 */
final class OperatorHarness implements AutoCloseable {
    static final RetryPolicy FAST_RETRY = new RetryPolicy(Duration.ofMillis(200), 2.0, 0.2, Duration.ofSeconds(3));

    final String instance = TestEnv.uniqueName("bo");
    final String host = "host-" + instance;
    final EtcdFixture etcd;
    final DockerClient docker;
    final String etcdEndpoint;
    final String dockerHost;
    private final Duration resync;
    private final boolean ownsEtcd;
    private Operator.Underlay underlay = Operator.Underlay.none();
    private int workers = 4;
    private dev.berth.operator.route.RouteRuntime.Settings routes = dev.berth.operator.route.RouteRuntime.Settings.defaults();
    private Operator operator;

    OperatorHarness() {
        this(TestEnv.etcdEndpoints(), TestEnv.dockerHost(), Duration.ofSeconds(2));
    }

    OperatorHarness(String etcdEndpoint, String dockerHost, Duration resync) {
        this(new EtcdFixture(etcdEndpoint), etcdEndpoint, dockerHost, resync, true);
    }

    /** Several operators (hosts) on one shared etcd prefix; the fixture is closed by its owner, not here. */
    OperatorHarness(EtcdFixture shared, String dockerHost, Duration resync) {
        this(shared, TestEnv.etcdEndpoints(), dockerHost, resync, false);
    }

    private OperatorHarness(EtcdFixture etcd, String etcdEndpoint, String dockerHost, Duration resync, boolean ownsEtcd) {
        this.etcdEndpoint = etcdEndpoint;
        this.dockerHost = dockerHost;
        this.resync = resync;
        this.etcd = etcd;
        this.ownsEtcd = ownsEtcd;
        this.docker = DockerClients.connect(dockerHost);
    }

    /** Takes part in overlays through this underlay (set before start). */
    OperatorHarness underlay(Operator.Underlay value) {
        this.underlay = value;
        return this;
    }

    /** Stack workers (set before start). */
    OperatorHarness workers(int value) {
        this.workers = value;
        return this;
    }

    /** Route settings: Traefik's root key and the advertised address (set before start). */
    OperatorHarness routes(dev.berth.operator.route.RouteRuntime.Settings value) {
        this.routes = value;
        return this;
    }

    String stack(String suffix) {
        return instance + "-" + suffix;
    }

    OperatorHarness start() throws IOException {
        return start(Map.of());
    }

    OperatorHarness start(Map<String, String> hostLabels) throws IOException {
        operator = new Operator(settings(hostLabels));
        operator.start();
        return this;
    }

    Operator.Settings settings(Map<String, String> hostLabels) {
        return new Operator.Settings(host, hostLabels,
                new EtcdSettings(List.of(etcdEndpoint), null, null, null, null, null, Duration.ofSeconds(5)),
                etcd.keys, dockerHost, instance, new InetSocketAddress("127.0.0.1", 0),
                resync, workers, 5, FAST_RETRY, "test", underlay, routes);
    }

    void stopOperator() {
        if (operator != null) {
            operator.close();
            operator = null;
        }
    }

    Operator operator() {
        return operator;
    }

    KeyLayout keys() {
        return etcd.keys;
    }

    void apply(String yaml) {
        ParseResult parsed = new dev.berth.crds.ManifestParser(dev.berth.crds.Kinds.standard()).parse("test.yaml", yaml);
        if (!parsed.ok()) {
            throw new AssertionError("test manifest invalid: " + parsed.errors());
        }
        etcd.store.apply(parsed.resources());
    }

    void delete(String stack) {
        etcd.store.delete(dev.berth.crds.Kinds.standard().byKind("Stack").orElseThrow(), stack);
    }

    /** A minimal stack: busybox httpd services (init so they stop at once). */
    String stackYaml(String name, String extraServiceFields) {
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
                %s""".formatted(name, TestEnv.testImage(), extraServiceFields.indent(6));
    }

    List<Container> containers(String stack) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance, BerthLabels.OWNER, "stack/" + stack)).exec();
    }

    List<Container> running(String stack) {
        return containers(stack).stream().filter(c -> "running".equals(c.getState())).toList();
    }

    Optional<ObjectStatus> status(String stack) {
        return etcd.kv.get(keys().status("stack", stack, host)).flatMap(v -> new StatusCodec().read(v.value()));
    }

    String describeStatus(String stack) {
        return status(stack).map(Object::toString).orElse("no status") + " containers="
                + containers(stack).stream().map(c -> c.getNames()[0] + ":" + c.getState()).toList();
    }

    boolean isReady(String stack, int containers) {
        return status(stack).map(s -> s.ready() && s.observedRevision() == revision(stack)).orElse(false)
                && running(stack).size() == containers && containers(stack).size() == containers;
    }

    long revision(String stack) {
        return etcd.kv.get(keys().desired("stack", stack)).map(v -> v.modRevision()).orElse(-1L);
    }

    void awaitReady(String stack, int containers) {
        Await.until(Duration.ofSeconds(60), stack + " Ready with " + containers + " running containers",
                () -> isReady(stack, containers), () -> describeStatus(stack));
    }

    Optional<String> degradedReason(String stack) {
        return status(stack).flatMap(s -> s.condition("Degraded")).filter(c -> c.isTrue()).map(c -> c.reason());
    }

    HttpResponse<String> http(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + operator.httpPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    double metric(String name, String tags) {
        String scrape = operator.registry().scrape();
        return scrape.lines().filter(l -> l.startsWith(name + tags + " ") || (tags.isEmpty() && l.startsWith(name + " ")))
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
        if (ownsEtcd) {
            etcd.close();
        }
        try {
            docker.close();
        } catch (IOException e) {
            // nothing left to clean
        }
    }
}
