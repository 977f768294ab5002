package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.ms;
import static dev.berth.bench.BenchSupport.sleep;

import com.github.dockerjava.api.command.PullImageResultCallback;
import dev.berth.bench.StartEvents.Ev;
import dev.berth.crds.Kinds;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Pull + start of an image only the registry has: one stack put in etcd naming it → its container's start event,
 * against docker-java's network create + pull + create + start of a twin image (same base, a fresh 4 MB layer of its
 * own, so both pulls fetch the same amount). Both images are removed from the host before each try.
 */
final class PullFigure extends Figure {
    private static final int LAYER_BYTES = 4_000_000;

    PullFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        String instance = "bb" + runId + "p";
        String host = "bench-" + runId + "-p";
        String prefix = newPrefix("p");
        int tries = 10;
        try (BenchRegistry registry = new BenchRegistry(work);
             OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, docker, etcdEndpoints, 300, WORKERS,
                     work.resolve("operator-pull.log"));
             StartEvents started = new StartEvents(events, BerthLabels.MANAGED_BY, instance);
             StartEvents baseStarted = new StartEvents(events, LABEL, runId)) {
            ResourceStore store = store(prefix);
            List<Double> berth = new ArrayList<>();
            List<Double> base = new ArrayList<>();
            for (int i = 0; i <= tries; i++) {
                String berthImage = pushFresh(registry, "berth", i);
                String baseImage = pushFresh(registry, "base", i);
                // Alternate who goes first, so neither always meets a warmer registry or page cache.
                boolean berthFirst = i % 2 == 0;
                for (int side = 0; side < 2; side++) {
                    sleep(500);
                    if ((side == 0) == berthFirst) {
                        double t = berthTry(store, started, instance, host, "pull" + i, berthImage);
                        if (i > 0) {
                            berth.add(t);
                        }
                    } else {
                        double t = baselineTry(baseStarted, "pullbase" + i, baseImage);
                        if (i > 0) {
                            base.add(t);
                        }
                    }
                }
                removeImage(berthImage);
                removeImage(baseImage);
            }
            rows.add(new Row("pull + start, p50", new Stats(berth), new Stats(base),
                    "A: network+pull+create+start", 1.1, " ms",
                    "a fresh " + LAYER_BYTES / 1_000_000 + " MB layer from a local registry, " + tries + " tries"));
        }
    }

    private double berthTry(ResourceStore store, StartEvents started, String instance, String host, String name,
                            String ref) throws InterruptedException {
        long t0 = System.nanoTime();
        apply(store, globalStackYaml(name, host, "", ref));
        Ev e = started.await(ev -> ev.nanos() > t0 && ("stack/" + name).equals(ev.owner()), Duration.ofSeconds(120));
        double took = ms(e.nanos() - t0);
        store.delete(Kinds.standard().byKind("Stack").orElseThrow(), name);
        await(Duration.ofSeconds(60), name + " removed", () -> owned(instance, "stack/" + name).isEmpty(), 100);
        return took;
    }

    private double baselineTry(StartEvents started, String name, String ref) throws InterruptedException {
        long t0 = System.nanoTime();
        String net = runId + "-" + name + "_default";
        client.createNetworkCmd().withName(net).withDriver("bridge").withLabels(Map.of(LABEL, runId)).exec();
        client.pullImageCmd(ref).exec(new PullImageResultCallback()).awaitCompletion(120, TimeUnit.SECONDS);
        String id = client.createContainerCmd(ref).withName(runId + "-" + name)
                .withCmd("httpd", "-f", "-p", "8080", "-h", "/www")
                .withLabels(Map.of(LABEL, runId))
                .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withInit(true)
                        .withNetworkMode(net))
                .exec().getId();
        client.startContainerCmd(id).exec();
        String cname = runId + "-" + name;
        Ev e = started.await(ev -> ev.nanos() > t0 && cname.equals(ev.name()), Duration.ofSeconds(120));
        client.removeContainerCmd(id).withForce(true).exec();
        client.removeNetworkCmd(net).exec();
        return ms(e.nanos() - t0);
    }

    /** A fresh image (the bench image plus a random layer) pushed to the registry and not on this host. */
    private String pushFresh(BenchRegistry registry, String side, int i) throws IOException {
        String ref = registry.host + "/bench-" + runId + "/" + side + ":" + i;
        BenchRegistry.pushFresh(docker, image, ref, LAYER_BYTES);
        return ref;
    }

    private void removeImage(String ref) {
        try {
            client.removeImageCmd(ref).withForce(true).exec();
        } catch (RuntimeException e) {
            // not here (already removed)
        }
    }
}
