package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.ms;
import static dev.berth.bench.BenchSupport.profile;
import static dev.berth.bench.BenchSupport.sleep;

import dev.berth.bench.StartEvents.Ev;
import dev.berth.crds.Kinds;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.labels.BerthLabels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One stack applied in etcd → its container running, against baseline A for one container. */
final class EtcdToRunningFigure extends Figure {
    EtcdToRunningFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        String instance = "bb" + runId + "e";
        String host = "bench-" + runId + "-e";
        String prefix = newPrefix("e");
        int tries = 20;
        try (OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, docker, etcdEndpoints, 300, WORKERS,
                work.resolve("operator-etcd.log"));
             StartEvents started = new StartEvents(events, BerthLabels.MANAGED_BY, instance)) {
            ResourceStore store = store(prefix);
            List<Double> berth = new ArrayList<>();
            Metrics pa = op.scrape();
            for (int i = 0; i <= tries; i++) {
                String name = "e2r" + i;
                sleep(500);
                long t0 = System.nanoTime();
                applyStacks(store, List.of(name), host);
                Ev e = started.await(ev -> ev.nanos() > t0 && ("stack/" + name).equals(ev.owner()), Duration.ofSeconds(60));
                if (i > 0) {
                    berth.add(ms(e.nanos() - t0));
                }
                store.delete(Kinds.standard().byKind("Stack").orElseThrow(), name);
                await(Duration.ofSeconds(60), name + " removed", () -> owned(instance, "stack/" + name).isEmpty()
                        && client.listNetworksCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + instance)).exec().isEmpty(), 100);
            }
            notes.add("etcd → running, 21 applies and deletes: " + profile(pa, op.scrape()));
            Stats base = baselineRun(tries, true);
            Stats b = new Stats(berth);
            rows.add(new Row("etcd → running, p50", b, base, "A: network+create+start, 1 container", Double.NaN, " ms", ""));
            rows.add(new Row("etcd → running, p99", new Stats(List.of(b.pct(99))), new Stats(List.of(base.pct(99))),
                    "A, p99", Double.NaN, " ms", "p99 of 20 = the slowest try"));
        }
    }
}
