package dev.berth.operator.reliability;

/**
 * One row of the reliability table that CI prints at the end of the run: which test, how many runs (kills,
 * inputs, outages...), how many of them failed its promise, and the figure in words (for example
 * "kills 20 / duplicates 0 / orphans 0 / stuck 0"). Tests write their row even when they fail, so a failing run
 * still shows its figure.
 */
public record Figure(String test, int runs, int failures, String figure) {
    public Figure {
        if (test.contains("\t") || figure.contains("\t") || test.contains("\n") || figure.contains("\n")) {
            throw new IllegalArgumentException("a figure is one line without tabs: " + test + " " + figure);
        }
    }

    String tsv() {
        return test + "\t" + runs + "\t" + failures + "\t" + figure + "\n";
    }
}
