package dev.berth.bench;

import static dev.berth.bench.BenchSupport.sleep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which JVM setting matters for the operator's RSS (issue 21): the same operator holding 1,000 declared stacks, started
 * by the launcher with the JVM's own defaults, with one setting at a time, and with what the launcher ships. Each row
 * is that setting's RSS against the JVM defaults'; the shipped row says whether it meets the 200 MiB goal.
 */
final class MemoryFlagsFigure extends Figure {
    /** Named JVM settings (BERTH_OPERATOR_JVM, which replaces the launcher's), in the order measured; null: shipped. */
    private static final Map<String, String> VARIANTS = variants();

    MemoryFlagsFigure(BenchRun bench) {
        super(bench);
    }

    private static Map<String, String> variants() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("JVM defaults (G1, heap up to 1/4 of RAM)", "");
        // The launcher's settings until 2026-12-03: on this 24 GiB machine the initial heap (1/64 of RAM) is the cap,
        // so the whole 256 MiB heap is committed from the start.
        String before = "-XX:+UseSerialGC -Xmx256m -XX:+ExitOnOutOfMemoryError";
        v.put("serial GC, -Xmx256m (shipped before)", before);
        v.put("the same, -Xms16m (the heap grows as needed)", before + " -Xms16m");
        v.put("the same, -Xms16m -XX:MaxHeapFreeRatio=30 (shipped until issue 21 round 9: C2 kept)",
                before + " -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30");
        v.put("the same, -Xms16m -XX:TieredStopAtLevel=1 (C1 only)", before + " -Xms16m -XX:TieredStopAtLevel=1");
        v.put("the same, -Xms16m -Xss256k", before + " -Xms16m -Xss256k");
        v.put("shipped (bin/berth operator)", null);
        return v;
    }

    @Override
    void run() throws Exception {
        String prefix = newPrefix("mf");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            names.add("memf" + i);
        }
        // As MemoryFigure: global stacks of another host, held and not run, and no scheduler work.
        applyGlobalStacks(store(prefix), names, "elsewhere-" + runId);
        Map<String, List<Double>> rss = new LinkedHashMap<>();
        Map<String, List<Double>> heap = new LinkedHashMap<>();
        for (int r = 0; r < runs; r++) {
            for (Map.Entry<String, String> variant : VARIANTS.entrySet()) {
                Map<String, String> env = variant.getValue() == null ? Map.of()
                        : Map.of("BERTH_OPERATOR_JVM", variant.getValue());
                try (OperatorProcess op = new OperatorProcess(env, List.of(), "127.0.0.1", OperatorProcess.freePort(), jar,
                        "bench-" + runId + "-mf", "bb" + runId + "f", prefix, docker, etcdEndpoints, 300, WORKERS,
                        work.resolve("operator-memory-flags.log"))) {
                    op.awaitStacksListed(1000);
                    sleep(20_000);
                    Metrics m = op.scrape();
                    rss.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(op.rssKb() / 1024.0);
                    heap.computeIfAbsent(variant.getKey(), k -> new ArrayList<>())
                            .add(m.sum("jvm_memory_committed_bytes", "area=\"heap\"") / 1048576.0);
                }
            }
        }
        String defaults = VARIANTS.keySet().iterator().next();
        Stats base = new Stats(rss.get(defaults));
        for (String variant : VARIANTS.keySet()) {
            boolean shipped = VARIANTS.get(variant) == null;
            Stats mine = new Stats(rss.get(variant));
            String goal = shipped ? "goal ≤ 200 MiB: " + (mine.median() <= 200 ? "met" : "MISSED") + "; " : "";
            rows.add(new Row("memory: RSS, 1,000 stacks declared, " + variant, mine, base, "JVM defaults", Double.NaN,
                    " MiB", goal + "heap committed " + new Stats(heap.get(variant)).show(" MiB")));
        }
        notes.add("memory flags: every variant is the launcher with BERTH_OPERATOR_JVM set to the flags named (the launcher's"
                + " MALLOC_ARENA_MAX applies to all); the shipped row is the launcher unchanged (" + shippedFlags() + ").");
    }

    private static String shippedFlags() {
        try {
            for (String line : java.nio.file.Files.readAllLines(OperatorProcess.LAUNCHER)) {
                if (line.startsWith("operator_jvm_defaults=")) {
                    return line.substring(line.indexOf('=') + 1).replace("\"", "");
                }
            }
        } catch (IOException e) {
            return "launcher unreadable: " + e.getMessage();
        }
        return "see bin/berth";
    }
}
