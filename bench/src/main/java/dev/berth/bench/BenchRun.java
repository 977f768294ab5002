package dev.berth.bench;

import static dev.berth.bench.BenchSupport.env;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.labels.BerthLabels;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** One benchmark run: its settings (from the command line and the environment), clients, and what it measured. */
final class BenchRun {
    final String docker = env("DOCKER_HOST", "unix:///run/berth-env/docker.sock");
    final String etcdEndpoints = env("BERTH_ETCD_ENDPOINTS", "http://127.0.0.1:23790");
    final String image = env("BERTH_TEST_IMAGE", "berth-test/busybox:1");
    final Path jar;
    final Path work;
    final String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL | 0x1000000L).substring(1);
    final DockerClient client;
    final DockerClient events;
    final Client etcdClient;
    final EtcdKv kv;
    final List<Row> rows = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<String> loadLog = new ArrayList<>();
    final Set<String> only;
    final int runs;
    final boolean force;
    final int quietWait;
    final Path out;
    final Set<String> prefixes = new LinkedHashSet<>();

    BenchRun(BenchArgs args) {
        only = args.only();
        runs = args.runs();
        force = args.force();
        quietWait = args.quietWait();
        out = args.out();
        jar = Path.of(env("BERTH_JAR", "operator/target/berth.jar")).toAbsolutePath();
        try {
            work = Files.createTempDirectory("berth-bench-" + runId + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        client = DockerClients.connect(docker);
        events = DockerClients.connectForEvents(docker);
        EtcdSettings settings = new EtcdSettings(List.of(etcdEndpoints.split(",")), null, null, null, null, null,
                Duration.ofSeconds(10));
        etcdClient = EtcdConnector.connect(settings);
        kv = new EtcdKv(etcdClient, settings);
    }

    /** Removes what this run made on the shared daemon: Berth's instances bb<run>*, and the baselines by label. */
    void cleanupDocker() {
        try {
            for (Container c : client.listContainersCmd().withShowAll(true).exec()) {
                Map<String, String> l = c.getLabels() == null ? Map.of() : c.getLabels();
                String mb = l.getOrDefault(BerthLabels.MANAGED_BY, "");
                if (runId.equals(l.get(Figure.LABEL)) || mb.startsWith("bb" + runId)) {
                    client.removeContainerCmd(c.getId()).withForce(true).exec();
                }
            }
            client.listNetworksCmd().exec().forEach(nw -> {
                Map<String, String> l = nw.getLabels() == null ? Map.of() : nw.getLabels();
                String mb = l.getOrDefault(BerthLabels.MANAGED_BY, "");
                if (runId.equals(l.get(Figure.LABEL)) || mb.startsWith("bb" + runId) || nw.getName().startsWith("bb" + runId)) {
                    try {
                        client.removeNetworkCmd(nw.getId()).exec();
                    } catch (RuntimeException e) {
                        System.out.println("cleanup: network " + nw.getName() + ": " + e.getMessage());
                    }
                }
            });
        } catch (RuntimeException e) {
            System.out.println("cleanup: " + e);
        }
    }
}
