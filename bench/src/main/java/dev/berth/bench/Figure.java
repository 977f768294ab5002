package dev.berth.bench;

import static dev.berth.bench.BenchSupport.ms;
import static dev.berth.bench.BenchSupport.sleep;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import dev.berth.bench.StartEvents.Ev;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One benchmark figure (or a pair of them) measured against its baseline. Subclasses get the run's settings,
 * clients and result lists as fields, and the helpers several figures share: stack manifests, applying them,
 * counting Ready stacks, the docker-java baselines.
 */
abstract class Figure {
    static final String LABEL = "berth-bench";
    static final int WORKERS = 4;

    final BenchRun bench;
    final String docker;
    final String etcdEndpoints;
    final String image;
    final Path jar;
    final Path work;
    final String runId;
    final DockerClient client;
    final DockerClient events;
    final EtcdKv kv;
    final List<Row> rows;
    final List<String> notes;
    final int runs;
    /**
     * One parser for every apply of a figure, as one {@code berth apply} has: a parser per apply loaded its schemas
     * again each time, which the scheduler figure's profile showed inside its timed applies.
     */
    private final ManifestParser parser = new ManifestParser(Kinds.standard());

    Figure(BenchRun bench) {
        this.bench = bench;
        this.docker = bench.docker;
        this.etcdEndpoints = bench.etcdEndpoints;
        this.image = bench.image;
        this.jar = bench.jar;
        this.work = bench.work;
        this.runId = bench.runId;
        this.client = bench.client;
        this.events = bench.events;
        this.kv = bench.kv;
        this.rows = bench.rows;
        this.notes = bench.notes;
        this.runs = bench.runs;
    }

    /** Measures, adding rows and notes to the run. */
    abstract void run() throws Exception;

    /**
     * Baseline "one docker run": create + start of the same container through docker-java, to its start event.
     * withNetwork: also creates its own bridge network first, as Berth does for a new stack ("<stack>_default").
     */
    Stats baselineRun(int tries, boolean withNetwork) throws Exception {
        List<Double> out = new ArrayList<>();
        String net0 = runId + "-bnet";
        if (!withNetwork) {
            client.createNetworkCmd().withName(net0).withDriver("bridge").withLabels(Map.of(LABEL, runId)).exec();
        }
        try (StartEvents started = new StartEvents(events, LABEL, runId)) {
            for (int i = 0; i <= tries; i++) {
                sleep(500);
                String name = runId + "-base-" + i;
                long t0 = System.nanoTime();
                String net = net0;
                if (withNetwork) {
                    net = name + "_default";
                    client.createNetworkCmd().withName(net).withDriver("bridge").withLabels(Map.of(LABEL, runId)).exec();
                }
                String id = createContainer(name, net);
                client.startContainerCmd(id).exec();
                Ev e = started.await(ev -> ev.nanos() > t0 && name.equals(ev.name()), Duration.ofSeconds(60));
                if (i > 0) {
                    out.add(ms(e.nanos() - t0));
                }
                client.removeContainerCmd(id).withForce(true).exec();
                if (withNetwork) {
                    client.removeNetworkCmd(net).exec();
                }
            }
        } finally {
            if (!withNetwork) {
                client.removeNetworkCmd(net0).exec();
            }
        }
        return new Stats(out);
    }

    /**
     * The container Berth makes for the benchmark's one-service stack, made directly: the same command, init,
     * restart policy and service alias on its network (so both do the same Docker work), and comparable labels.
     */
    String createContainer(String name, String network) {
        return createContainer(name, network, true);
    }

    /** The same; without the alias for the default bridge, which refuses one. */
    String createContainer(String name, String network, boolean alias) {
        var create = client.createContainerCmd(image).withName(name)
                .withCmd("httpd", "-f", "-p", "8080", "-h", "/www")
                .withLabels(Map.of(LABEL, runId, "bench.owner", name, "bench.service", "web", "bench.replica", "1"))
                .withHostConfig(HostConfig.newHostConfig().withInit(true).withNetworkMode(network)
                        .withRestartPolicy(com.github.dockerjava.api.model.RestartPolicy.unlessStoppedRestart()));
        return (alias ? create.withAliases("web") : create).exec().getId();
    }

    String newPrefix(String what) {
        String p = "/berth-bench-" + runId + "-" + what;
        bench.prefixes.add(p);
        return p;
    }

    ResourceStore store(String prefix) {
        return new ResourceStore(kv, new KeyLayout(prefix), Kinds.standard(), parser);
    }

    /**
     * A one-service stack allowed only on {@code host}: replicated (the default), so its one replica runs there once
     * the scheduler leader has assigned it; the apply-to-running figures include that step, as a user's apply does.
     */
    String stackYaml(String name, String host, String extraService) {
        return stackYaml(name, host, extraService, "replicated");
    }

    /**
     * The same stack in global mode: {@code host} runs it without waiting for the scheduler, and a host it does not
     * name runs nothing of it and has nothing to schedule (the meaning "placed on that host", whatever the scheduler does).
     */
    String globalStackYaml(String name, String host, String extraService) {
        return stackYaml(name, host, extraService, "global");
    }

    /** A global one-service stack on {@code hosts} (comma-separated) running {@code ref} instead of the bench image. */
    String globalStackYaml(String name, String hosts, String extraService, String ref) {
        return stackYaml(name, hosts, extraService, "global", ref);
    }

    private String stackYaml(String name, String host, String extraService, String mode) {
        return stackYaml(name, host, extraService, mode, image);
    }

    private String stackYaml(String name, String host, String extraService, String mode, String ref) {
        return """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: %s
                spec:
                  placement:
                    mode: %s
                    hosts: [%s]
                  services:
                    - name: web
                      image: %s
                      command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                      init: true
                %s---
                """.formatted(name, mode, host, ref, extraService.indent(4));
    }

    /** 100 stacks per etcd transaction (etcd takes at most 128 operations in one). */
    void applyStacks(ResourceStore store, List<String> names, String host) {
        applyStacks(store, names, n -> stackYaml(n, host, ""));
    }

    /** {@link #applyStacks} of {@link #globalStackYaml} stacks. */
    void applyGlobalStacks(ResourceStore store, List<String> names, String host) {
        applyStacks(store, names, n -> globalStackYaml(n, host, ""));
    }

    private void applyStacks(ResourceStore store, List<String> names, java.util.function.Function<String, String> yaml) {
        for (int i = 0; i < names.size(); i += 100) {
            StringBuilder y = new StringBuilder();
            for (String n : names.subList(i, Math.min(names.size(), i + 100))) {
                y.append(yaml.apply(n));
            }
            apply(store, y.toString());
        }
    }

    void apply(ResourceStore store, String yaml) {
        ParseResult parsed = parser.parse("bench.yaml", yaml);
        if (!parsed.ok()) {
            throw new IllegalStateException("bench manifest invalid: " + parsed.errors());
        }
        List<Resource> rs = parsed.resources();
        store.apply(rs);
    }

    enum Ready { TRUE, FALSE, NONE }

    Ready statusReady(String prefix, String kind, String name, String host) {
        return kv.get(new KeyLayout(prefix).status(kind, name, host)).flatMap(v -> new StatusCodec().read(v.value()))
                .map(s -> s.ready() ? Ready.TRUE : Ready.FALSE).orElse(Ready.NONE);
    }

    int readyCount(String prefix, String host) {
        int ready = 0;
        StatusCodec codec = new StatusCodec();
        for (StoredValue v : kv.list(new KeyLayout(prefix).statusRoot() + "stack/").values()) {
            if (v.key().endsWith("/" + host) && codec.read(v.value()).map(s -> s.ready()).orElse(false)) {
                ready++;
            }
        }
        return ready;
    }

    List<Container> owned(String instance, String owner) {
        return client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance, BerthLabels.OWNER, owner)).exec();
    }

    int floodEntries(String ns, String dev) {
        try {
            Process p = new ProcessBuilder("bridge", "-n", ns, "fdb", "show", "dev", dev).redirectErrorStream(true).start();
            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            int c = 0;
            for (String line : o.split("\n")) {
                if (line.startsWith("00:00:00:00:00:00 ") && line.contains(" dst ")) {
                    c++;
                }
            }
            return c;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
