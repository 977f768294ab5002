package dev.berth.bench;

import static dev.berth.bench.BenchSupport.sleep;

import java.util.ArrayList;
import java.util.List;

/** RSS of a fresh operator with no stacks and with 1,000 stacks placed on another host. */
final class MemoryFigure extends Figure {
    MemoryFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        List<Double> none = new ArrayList<>();
        List<Double> thousand = new ArrayList<>();
        List<Double> heapNone = new ArrayList<>();
        List<Double> heapThousand = new ArrayList<>();
        String prefixNone = newPrefix("m0");
        String prefixK = newPrefix("mk");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            names.add("mem" + i);
        }
        // Global on a host that is not this one: the operator holds the stacks and runs nothing of them. Replicated,
        // the only operator would also be their scheduler leader, and the figure would weigh the scheduler as well.
        applyGlobalStacks(store(prefixK), names, "elsewhere-" + runId);
        for (int r = 0; r < runs; r++) {
            for (boolean k : new boolean[] {false, true}) {
                String instance = "bb" + runId + "m";
                try (OperatorProcess op = new OperatorProcess(jar, "bench-" + runId + "-m", instance, k ? prefixK : prefixNone,
                        docker, etcdEndpoints, 300, WORKERS, work.resolve("operator-memory.log"))) {
                    if (k) {
                        op.awaitStacksListed(1000);
                    }
                    sleep(20_000);
                    Metrics m = op.scrape();
                    (k ? thousand : none).add(op.rssKb() / 1024.0);
                    (k ? heapThousand : heapNone).add(m.sum("jvm_memory_used_bytes", "area=\"heap\"") / 1048576.0);
                }
            }
        }
        rows.add(new Row("memory: RSS, 1,000 stacks placed elsewhere", new Stats(thousand), new Stats(none), "RSS with no stacks",
                Double.NaN, " MiB", "heap used " + new Stats(heapThousand).show(" MiB") + " vs " + new Stats(heapNone).show(" MiB")));
    }
}
