package dev.berth.bench;

import static dev.berth.bench.BenchSupport.fmt;

import dev.berth.reconcilers.docker.DockerClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Berth against the raw baselines, side by side, on this machine: convergence, steady state, reaction,
 * etcd → running, FDB programming and memory; the scheduler's pure planner alone, the scheduler end to end, failover on a three-host bed, and names across hosts on a two-host bed;
 * and Berth against Docker Swarm on the same namespace bed (swarm-converge, swarm-failover, overlay-path, rest-cost).
 * Prints a table and a summary line, writes BENCHMARKS.md.
 * Usage: {@value BenchArgs#USAGE}.
 */
public final class Bench {
    private final BenchRun bench;

    Bench(BenchArgs args) {
        bench = new BenchRun(args);
    }

    public static void main(String[] args) throws Exception {
        BenchArgs parsed;
        try {
            parsed = BenchArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(BenchArgs.USAGE);
            System.exit(2);
            return;
        }
        Bench b = new Bench(parsed);
        int code = b.run();
        System.exit(code);
    }

    /** The figure a --only name stands for. */
    Figure figure(String name) {
        return switch (name) {
            case "steady" -> new SteadyFigure(bench);
            case "reaction" -> new ReactionFigure(bench);
            case "etcd" -> new EtcdToRunningFigure(bench);
            case "memory" -> new MemoryFigure(bench);
            case "memory-flags" -> new MemoryFlagsFigure(bench);
            case "fdb" -> new FdbFigure(bench);
            case "converge10" -> new ConvergenceFigure(bench, 10);
            case "converge100" -> new ConvergenceFigure(bench, 100);
            case "planner" -> new PlannerFigure(bench);
            case "scheduler" -> new SchedulerFigure(bench);
            case "failover" -> new FailoverFigure(bench);
            case "names" -> new NamesFigure(bench);
            case "pull" -> new PullFigure(bench);
            case "pull3" -> new ConcurrentPullFigure(bench);
            case "start-cost" -> new StartCostFigure(bench);
            case "swarm-converge" -> new SwarmConvergeFigure(bench);
            case "swarm-failover" -> new SwarmFailoverFigure(bench);
            case "overlay-path" -> new OverlayPathFigure(bench);
            case "rest-cost" -> new RestCostFigure(bench);
            default -> throw new IllegalStateException(name);
        };
    }

    int run() throws Exception {
        System.out.println("berth-bench run " + bench.runId + ": " + machine().replace("\n", "; "));
        Load start = Load.sample();
        System.out.println("load: " + start);
        if (!start.quiet() && !bench.force) {
            System.out.println("machine busy: waiting up to " + bench.quietWait + " s for a quiet window");
            start = Load.awaitQuiet(bench.quietWait);
            if (!start.quiet()) {
                System.out.println("still busy after " + bench.quietWait + " s (" + start + "); running anyway, results FLAGGED");
            }
        }
        bench.loadLog.add("start: " + start);
        try {
            for (String s : BenchArgs.FIGURES) {
                if (!bench.only.isEmpty() && !bench.only.contains(s)) {
                    continue;
                }
                Load before = Load.sample();
                bench.loadLog.add(s + " before: " + before);
                System.out.println("== " + s + " (" + before + ")");
                try {
                    figure(s).run();
                } catch (Exception | AssertionError e) {
                    e.printStackTrace();
                    bench.notes.add(s + ": FAILED: " + e);
                } finally {
                    bench.cleanupDocker();
                }
            }
        } finally {
            bench.cleanupDocker();
            for (String p : bench.prefixes) {
                bench.kv.deletePrefix(p + "/");
            }
        }
        Load end = Load.sample();
        bench.loadLog.add("end: " + end);
        report();
        return 0;
    }

    String machine() {
        StringBuilder m = new StringBuilder();
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
            m.append("CPU: ").append(Runtime.getRuntime().availableProcessors()).append(" × ").append(cpu).append('\n');
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
            m.append("Memory: ").append(mem).append('\n');
            m.append("Kernel: ").append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim()).append('\n');
            m.append("Java: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append('\n');
            m.append("Docker: ").append(bench.client.versionCmd().exec().getVersion()).append(" (API ").append(DockerClients.API_VERSION)
                    .append("), storage ").append(bench.client.infoCmd().exec().getDriver()).append('\n');
            m.append("etcd: ").append(bench.etcdEndpoints);
        } catch (Exception e) {
            m.append("(machine description incomplete: ").append(e.getMessage()).append(')');
        }
        return m.toString();
    }

    void report() throws IOException {
        StringBuilder table = new StringBuilder();
        table.append("| figure | Berth: median [min–max, n] | baseline | baseline: median [min–max, n] | ratio | goal | note |\n");
        table.append("|---|---|---|---|---|---|---|\n");
        List<String> ratios = new ArrayList<>();
        for (Row r : bench.rows) {
            table.append("| ").append(r.figure()).append(" | ").append(r.berth().show(r.unit())).append(" | ")
                    .append(r.baselineName()).append(" | ").append(r.baseline() == null ? "" : r.baseline().show(r.unit())).append(" | ")
                    .append(Double.isNaN(r.ratio()) ? "" : fmt(r.ratio()) + "×").append(" | ").append(r.verdict())
                    .append(" | ").append(r.note().replace("|", "/")).append(" |\n");
            if (!Double.isNaN(r.ratio())) {
                ratios.add(r.figure().replaceAll(",? ?p50", "").replaceAll(":.*", "").trim() + " " + fmt(r.ratio()) + "×"
                        + (Double.isNaN(r.goal()) ? "" : (r.met() ? " ok" : " MISSED")));
            }
        }
        String summary = "SUMMARY " + bench.runId + ": " + String.join(" · ", ratios);
        System.out.println();
        System.out.println(table);
        bench.notes.forEach(n -> System.out.println("note: " + n));
        bench.loadLog.forEach(l -> System.out.println("load " + l));
        System.out.println(summary);
        StringBuilder md = new StringBuilder();
        md.append("## Run ").append(bench.runId).append(" — ").append(Instant.now().toString(), 0, 19).append("Z\n\n");
        md.append("```\n").append(machine()).append("\n```\n\n");
        md.append("Load (1-min load average; CPU idle over a 2 s sample; quiet = load < 1.5 and idle ≥ 70 %):\n\n");
        bench.loadLog.forEach(l -> md.append("- ").append(l).append('\n'));
        md.append('\n').append(table).append('\n');
        bench.notes.forEach(n -> md.append("- ").append(n).append('\n'));
        md.append("\n`").append(summary).append("`\n\n");
        Files.writeString(bench.work.resolve("results.md"), md.toString());
        System.out.println("results written to " + bench.work.resolve("results.md") + " (operator logs in " + bench.work + ")");
        if (bench.out != null) {
            String existing = Files.exists(bench.out) ? Files.readString(bench.out) : "";
            String marker = "<!-- bench results below: newest first -->\n";
            if (!existing.contains(marker)) {
                existing = existing + (existing.isEmpty() ? "" : "\n") + marker;
            }
            int at = existing.indexOf(marker) + marker.length();
            Files.writeString(bench.out, existing.substring(0, at) + "\n" + md + existing.substring(at));
            System.out.println("appended to " + bench.out.toAbsolutePath());
        }
    }
}
