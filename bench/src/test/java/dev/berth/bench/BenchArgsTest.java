package dev.berth.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchArgsTest {
    @Test
    void theDefaultsMeasureEverythingThreeTimes() {
        BenchArgs a = BenchArgs.parse();

        assertEquals(new BenchArgs(Set.of(), 3, false, 600, Path.of("BENCHMARKS.md")), a);
    }

    @Test
    void everyOptionIsRead() {
        BenchArgs a = BenchArgs.parse("--only", "fdb,converge10", "--runs", "5", "--quiet-wait", "0", "--force",
                "--out", "/tmp/r.md");

        assertEquals(new BenchArgs(Set.of("fdb", "converge10"), 5, true, 0, Path.of("/tmp/r.md")), a);
    }

    @Test
    void aMisspeltFigureIsRefusedRatherThanRunningNothing() {
        assertEquals("--only: unknown figure 'converge'; expected some of " + String.join(",", BenchArgs.FIGURES),
                refusal("--only", "fdb,converge"));
    }

    /** Split naively, "fdb,,steady" would hold an empty name, and "," none at all: a run of every figure. */
    @Test
    void anEmptyFigureNameIsRefused() {
        for (String list : List.of("fdb,,steady", ",fdb", "fdb,", ",", "")) {
            assertEquals("--only: an empty figure name in '" + list + "'", refusal("--only", list));
        }
    }

    @Test
    void wrongValuesSayWhatWasExpected() {
        assertEquals("--runs: expected a whole number of at least 1, got '0'", refusal("--runs", "0"));
        assertEquals("--runs: expected a whole number of at least 1, got '+5'", refusal("--runs", "+5"));
        assertEquals("--runs: expected a whole number of at least 1, got '3000000000'", refusal("--runs", "3000000000"));
        assertEquals("--quiet-wait: expected a whole number of at least 0, got 'soon'", refusal("--quiet-wait", "soon"));
        assertEquals("--out: a value is missing", refusal("--out"));
        assertEquals("--out: a value is missing", refusal("--out", "--force"));
        assertEquals("--only: a value is missing", refusal("--only", "--force"));
        assertEquals("unknown argument '--help'", refusal("--help"));
    }

    /** scripts/bench.sh checks --only before it starts dockerd, etcd and the build, against a list of its own. */
    @Test
    void theScriptKnowsTheSameFiguresInTheSameOrder() throws IOException {
        Path script = Path.of("..", "scripts", "bench.sh");
        String line = Files.readAllLines(script).stream().filter(l -> l.startsWith("FIGURES=")).findFirst()
                .orElseThrow(() -> new AssertionError("no FIGURES= line in " + script));

        List<String> inScript = List.of(line.substring("FIGURES=\"".length(), line.length() - 1).split(" "));

        assertEquals(BenchArgs.FIGURES, inScript);
    }

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse(args)).getMessage();
    }
}
