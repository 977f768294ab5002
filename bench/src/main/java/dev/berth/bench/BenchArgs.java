package dev.berth.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark's command line, read before anything starts: a misspelt figure would otherwise run nothing and
 * still write an empty report.
 */
record BenchArgs(Set<String> only, int runs, boolean force, int quietWait, Path out) {
    /** Every figure, in the order a full run measures them (scripts/bench.sh's FIGURES lists the same). */
    static final List<String> FIGURES = List.of("planner", "scheduler", "steady", "reaction", "etcd", "memory",
            "memory-flags", "fdb", "failover", "names", "pull", "pull3", "converge10", "converge100", "start-cost",
            "swarm-converge", "swarm-failover", "overlay-path", "rest-cost");

    static final String USAGE = "usage: Bench [--only FIGURE,...] [--runs N] [--quiet-wait SECONDS] [--force] [--out FILE]";

    /** @throws IllegalArgumentException naming the argument that is wrong and what was expected */
    static BenchArgs parse(String... args) {
        Set<String> only = new LinkedHashSet<>();
        int runs = 3;
        boolean force = false;
        int quietWait = 600;
        Path out = Path.of("BENCHMARKS.md");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--only" -> {
                    String list = value(args, i++);
                    for (String f : list.split(",", -1)) {
                        if (f.isEmpty()) {
                            throw new IllegalArgumentException("--only: an empty figure name in '" + list + "'");
                        }
                        if (!FIGURES.contains(f)) {
                            throw new IllegalArgumentException("--only: unknown figure '" + f + "'; expected some of "
                                    + String.join(",", FIGURES));
                        }
                        only.add(f);
                    }
                }
                case "--runs" -> runs = atLeast(1, a, value(args, i++));
                case "--quiet-wait" -> quietWait = atLeast(0, a, value(args, i++));
                case "--out" -> out = Path.of(value(args, i++));
                case "--force" -> force = true;
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        return new BenchArgs(Set.copyOf(only), runs, force, quietWait, out);
    }

    private static String value(String[] args, int at) {
        if (at + 1 >= args.length || args[at + 1].startsWith("--")) {
            throw new IllegalArgumentException(args[at] + ": a value is missing");
        }
        return args[at + 1];
    }

    /** Up to 9 digits, as scripts/bench.sh takes them: an int, and no sign or spaces Integer.parseInt would take. */
    private static int atLeast(int min, String option, String value) {
        if (value.matches("[0-9]{1,9}") && Integer.parseInt(value) >= min) {
            return Integer.parseInt(value);
        }
        throw new IllegalArgumentException(option + ": expected a whole number of at least " + min + ", got '" + value + "'");
    }
}
