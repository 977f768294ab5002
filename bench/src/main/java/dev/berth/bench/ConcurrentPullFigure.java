package dev.berth.bench;

import static dev.berth.bench.BenchSupport.ms;
import static dev.berth.bench.BenchSupport.sh;
import static dev.berth.bench.BenchSupport.sh0;
import static dev.berth.bench.BenchSupport.sleep;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import dev.berth.bench.StartEvents.Ev;
import dev.berth.crds.Kinds;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Three hosts pulling one new image at once: a bed of three dockerds in network namespaces on an underlay bridge,
 * a registry on the bridge's root address (the dockerds trust it over HTTP with --insecure-registry), one operator
 * per host. A global stack naming an image only the registry has → its container started on all three hosts,
 * against three threads doing docker-java's network create + pull + create + start on the three dockerds at once.
 */
final class ConcurrentPullFigure extends Figure {
    private static final int HOSTS = 3;
    private static final int LAYER_BYTES = 4_000_000;

    ConcurrentPullFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        String prefix = newPrefix("q");
        String bridge = "bbq" + runId + "br";
        String rootIp = "10.251." + (1 + Math.floorMod(runId.hashCode(), 200)) + ".1";
        List<NsDockerd> dockerds = new ArrayList<>();
        List<OperatorProcess> operators = new ArrayList<>();
        List<StartEvents> berthEvents = new ArrayList<>();
        List<StartEvents> baseEvents = new ArrayList<>();
        List<DockerClient> eventClients = new ArrayList<>();
        sh("ip", "link", "add", bridge, "type", "bridge");
        try {
            sh("ip", "addr", "add", rootIp + "/24", "dev", bridge);
            sh("ip", "link", "set", bridge, "up");
            try (BenchRegistry registry = new BenchRegistry(work, rootIp)) {
                List<String> hosts = new ArrayList<>();
                for (int i = 0; i < HOSTS; i++) {
                    String ns = "bbq" + runId + i;
                    NsDockerd d = new NsDockerd(ns, "/run/bbq-" + runId + "-" + i + ".sock", "/run/bbq-" + runId + "-" + i,
                            work.resolve("dockerd-q" + i), work.resolve("dockerd-" + ns + ".log"));
                    dockerds.add(d);
                    d.start(client, image, List.of("--insecure-registry", registry.host));
                    d.underlay(bridge, "bbq" + runId + "v" + i, rootIp.substring(0, rootIp.length() - 1) + (10 + i));
                    String host = "bench-" + runId + "-q" + i;
                    String instance = "bb" + runId + "q" + i;
                    hosts.add(host);
                    operators.add(new OperatorProcess(jar, host, instance, prefix, "unix://" + d.sock, etcdEndpoints,
                            300, WORKERS, work.resolve("operator-" + host + ".log")));
                    DockerClient ev = DockerClients.connectForEvents("unix://" + d.sock);
                    eventClients.add(ev);
                    berthEvents.add(new StartEvents(ev, BerthLabels.MANAGED_BY, instance));
                    baseEvents.add(new StartEvents(ev, LABEL, runId));
                }
                ResourceStore store = store(prefix);
                List<Double> berth = new ArrayList<>();
                List<Double> base = new ArrayList<>();
                int tries = 5;
                for (int i = 0; i <= tries; i++) {
                    String berthImage = pushFresh(dockerds.get(0), registry, "berth", i);
                    String baseImage = pushFresh(dockerds.get(0), registry, "base", i);
                    sleep(500);
                    double b = berthTry(store, berthEvents, hosts, "pullq" + i, berthImage);
                    sleep(500);
                    double a = baselineTry(dockerds, baseEvents, "pullqbase" + i, baseImage);
                    if (i > 0) {
                        berth.add(b);
                        base.add(a);
                    }
                    for (NsDockerd d : dockerds) {
                        d.removeContainers();
                        removeImage(d.client, berthImage);
                        removeImage(d.client, baseImage);
                    }
                }
                rows.add(new Row("3 hosts pull one new image, p50", new Stats(berth), new Stats(base),
                        "A: 3 threads pull+create+start", Double.NaN, " ms",
                        "all three started; a fresh " + LAYER_BYTES / 1_000_000 + " MB layer, " + tries + " tries"));
            }
        } finally {
            List<AutoCloseable> closing = new ArrayList<>(berthEvents);
            closing.addAll(baseEvents);
            closing.addAll(eventClients);
            for (AutoCloseable c : closing) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing
                }
            }
            operators.forEach(OperatorProcess::close);
            dockerds.forEach(NsDockerd::close);
            sh0("ip", "link", "delete", bridge);
        }
    }

    private double berthTry(ResourceStore store, List<StartEvents> started, List<String> hosts, String name, String ref)
            throws InterruptedException {
        long t0 = System.nanoTime();
        apply(store, globalStackYaml(name, String.join(", ", hosts), "", ref));
        long last = 0;
        for (StartEvents s : started) {
            Ev e = s.await(ev -> ev.nanos() > t0 && ("stack/" + name).equals(ev.owner()), Duration.ofSeconds(180));
            last = Math.max(last, e.nanos());
        }
        store.delete(Kinds.standard().byKind("Stack").orElseThrow(), name);
        return ms(last - t0);
    }

    private double baselineTry(List<NsDockerd> dockerds, List<StartEvents> started, String name, String ref)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(HOSTS);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> runs = new ArrayList<>();
            for (NsDockerd d : dockerds) {
                runs.add(pool.submit(() -> {
                    String net = runId + "-" + name + "_default";
                    d.client.createNetworkCmd().withName(net).withDriver("bridge").withLabels(Map.of(LABEL, runId)).exec();
                    d.client.pullImageCmd(ref).exec(new PullImageResultCallback()).awaitCompletion(180, TimeUnit.SECONDS);
                    String id = d.client.createContainerCmd(ref).withName(runId + "-" + name)
                            .withCmd("httpd", "-f", "-p", "8080", "-h", "/www").withLabels(Map.of(LABEL, runId))
                            .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withInit(true)
                                    .withNetworkMode(net))
                            .exec().getId();
                    d.client.startContainerCmd(id).exec();
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get(180, TimeUnit.SECONDS);
            }
            String cname = runId + "-" + name;
            long last = 0;
            for (StartEvents s : started) {
                Ev e = s.await(ev -> ev.nanos() > t0 && cname.equals(ev.name()), Duration.ofSeconds(60));
                last = Math.max(last, e.nanos());
            }
            for (NsDockerd d : dockerds) {
                d.client.removeContainerCmd(cname).withForce(true).exec();
                d.client.removeNetworkCmd(runId + "-" + name + "_default").exec();
            }
            return ms(last - t0);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A fresh image (the bench image plus a random layer) built on {@code builder}, pushed, removed there. */
    private String pushFresh(NsDockerd builder, BenchRegistry registry, String side, int i) throws IOException {
        String ref = registry.host + "/bench-" + runId + "/q" + side + ":" + i;
        BenchRegistry.pushFresh("unix://" + builder.sock, image, ref, LAYER_BYTES);
        return ref;
    }

    private static void removeImage(DockerClient client, String ref) {
        try {
            client.removeImageCmd(ref).withForce(true).exec();
        } catch (RuntimeException e) {
            // not here
        }
    }
}
