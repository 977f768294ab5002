package dev.berth.bench;

import static dev.berth.bench.BenchSupport.await;
import static dev.berth.bench.BenchSupport.ms;
import static dev.berth.bench.BenchSupport.profile;
import static dev.berth.bench.BenchSupport.sleep;

import com.github.dockerjava.api.model.Container;
import dev.berth.bench.StartEvents.Ev;
import dev.berth.operator.store.ResourceStore;
import dev.berth.reconcilers.labels.BerthLabels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A managed container removed by hand → running again, against one create+start of the same container. */
final class ReactionFigure extends Figure {
    ReactionFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        String instance = "bb" + runId + "r";
        String host = "bench-" + runId + "-r";
        String prefix = newPrefix("r");
        int tries = 20;
        try (OperatorProcess op = new OperatorProcess(jar, host, instance, prefix, docker, etcdEndpoints, 300, WORKERS,
                work.resolve("operator-reaction.log"));
             StartEvents started = new StartEvents(events, BerthLabels.MANAGED_BY, instance)) {
            ResourceStore store = store(prefix);
            applyStacks(store, List.of("react"), host);
            await(Duration.ofSeconds(90), "stack react Ready", () -> readyCount(prefix, host) >= 1, 100);
            List<Double> berth = new ArrayList<>();
            Metrics pa = op.scrape();
            for (int i = 0; i <= tries; i++) {
                sleep(1000);
                List<Container> cs = owned(instance, "stack/react");
                if (cs.size() != 1 || !"running".equals(cs.get(0).getState())) {
                    throw new AssertionError("expected one running container of react, got " + cs.size());
                }
                client.removeContainerCmd(cs.get(0).getId()).withForce(true).exec();
                long t0 = System.nanoTime();
                Ev e = started.await(ev -> ev.nanos() > t0 && "stack/react".equals(ev.owner()), Duration.ofSeconds(60));
                if (i > 0) { // the first try warms the JVM's code paths and is not counted
                    berth.add(ms(e.nanos() - t0));
                }
                await(Duration.ofSeconds(30), "react Ready again", () -> readyCount(prefix, host) >= 1
                        && owned(instance, "stack/react").stream().anyMatch(c -> "running".equals(c.getState())), 50);
            }
            notes.add("reaction, 21 tries: " + profile(pa, op.scrape()));
            Stats base = baselineRun(tries, false);
            Stats b = new Stats(berth);
            rows.add(new Row("reaction: removed → running again, p50", b, base, "one create+start (docker run)", 1.5, " ms", ""));
            rows.add(new Row("reaction: removed → running again, p99", new Stats(List.of(b.pct(99))),
                    new Stats(List.of(base.pct(99))), "one create+start, p99", Double.NaN, " ms",
                    "p99 of 20 = the slowest try"));
        }
    }
}
