package dev.berth.operator.gitops;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Operator;
import dev.berth.operator.TestEnv;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real operators in this JVM against the real etcd (a prefix of their own) and dockerd (an instance label of their
 * own): close() removes exactly what they made. Several operators may share the prefix (leader election tests).
 */
final class GitOpsHarness implements AutoCloseable {
    static final RetryPolicy FAST_RETRY = new RetryPolicy(Duration.ofMillis(200), 2.0, 0.2, Duration.ofSeconds(3));
    static final Duration WAIT = Duration.ofSeconds(90);

    final String instance = TestEnv.uniqueName("bg");
    final EtcdFixture etcd = new EtcdFixture(TestEnv.etcdEndpoints());
    final DockerClient docker = DockerClients.connect(TestEnv.dockerHost());
    private final List<Operator> operators = new ArrayList<>();

    String name(String suffix) {
        return instance + "-" + suffix;
    }

    Operator startOperator(String host) throws IOException {
        Operator.Settings settings = new Operator.Settings(host, Map.of(),
                new EtcdSettings(List.of(TestEnv.etcdEndpoints()), null, null, null, null, null, Duration.ofSeconds(3)),
                etcd.keys, TestEnv.dockerHost(), instance, new InetSocketAddress("127.0.0.1", 0),
                Duration.ofSeconds(5), 2, 5, FAST_RETRY, "test", Operator.Underlay.none());
        Operator operator = new Operator(settings);
        operator.start();
        operators.add(operator);
        return operator;
    }

    void stop(Operator operator) {
        operator.close();
        operators.remove(operator);
    }

    void apply(String yaml) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("test.yaml", yaml);
        if (!parsed.ok()) {
            throw new AssertionError("test manifest invalid: " + parsed.errors());
        }
        etcd.store.apply(parsed.resources());
    }

    String gitSource(String name, String url, String extraSpec) {
        return """
                apiVersion: berth.dev/v1
                kind: GitSource
                metadata:
                  name: %s
                spec:
                  url: %s
                  path: stacks
                %s""".formatted(name, url, extraSpec.indent(2));
    }

    String stack(String name, int replicas) {
        return """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: %s
                  labels: {team: blue}   # a comment that stays in etcd
                spec:
                  services:
                    - name: web
                      image: %s
                      command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                      init: true
                      replicas: %d
                """.formatted(name, TestEnv.testImage(), replicas);
    }

    Optional<GitSourceStatus> status(String source) {
        return etcd.kv.get(etcd.keys.status("gitsource", source, GitSync.STATUS_HOST))
                .flatMap(v -> GitSync.readStatus(v.value()));
    }

    String describe(String source) {
        return status(source).map(Object::toString).orElse("no status");
    }

    Optional<String> stored(String kind, String name) {
        return etcd.kv.get(etcd.keys.desired(kind, name)).map(v -> v.value());
    }

    void awaitSynced(String source, String commit) {
        Await.until(WAIT, source + " synced at " + commit, () -> status(source)
                .map(s -> commit.equals(s.lastSyncedCommit()) && !s.phase().equals(GitSourceStatus.FAILED))
                .orElse(false), () -> describe(source));
    }

    List<Container> running(String stack) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance, BerthLabels.OWNER, "stack/" + stack)).exec()
                .stream().filter(c -> "running".equals(c.getState())).toList();
    }

    void awaitRunning(String stack, int count) {
        Await.until(WAIT, stack + " with " + count + " running containers", () -> running(stack).size() == count,
                () -> running(stack).size() + " running");
    }

    /** The sum of the samples of {@code name} whose labels contain every one of {@code labels} (e.g. source="x"). */
    static double metric(Operator operator, String name, String... labels) {
        return operator.registry().scrape().lines()
                .filter(l -> l.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(l::contains)
                        || labels.length == 0 && l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Override
    public void close() {
        for (Operator operator : List.copyOf(operators)) {
            stop(operator);
        }
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
