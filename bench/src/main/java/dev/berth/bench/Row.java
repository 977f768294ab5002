package dev.berth.bench;

import static dev.berth.bench.BenchSupport.fmt;

/**
 * One figure: Berth's median and spread against a baseline's, with the goal on the ratio (NaN: no goal). The goal is
 * a ceiling (Berth / baseline ≤ goal: times, costs) unless {@code atLeast}, when it is a floor (throughput).
 */
record Row(String figure, Stats berth, Stats baseline, String baselineName, double goal, String unit, String note,
           boolean atLeast) {
    Row(String figure, Stats berth, Stats baseline, String baselineName, double goal, String unit, String note) {
        this(figure, berth, baseline, baselineName, goal, unit, note, false);
    }

    double ratio() {
        return baseline == null || baseline.median() == 0 ? Double.NaN : berth.median() / baseline.median();
    }

    boolean met() {
        return atLeast ? ratio() >= goal : ratio() <= goal;
    }

    String verdict() {
        if (Double.isNaN(goal) || Double.isNaN(ratio())) {
            return "";
        }
        String bound = (atLeast ? "≥ " : "≤ ") + fmt(goal) + "×";
        return met() ? "met (" + bound + ")" : "MISSED (goal " + bound + ")";
    }
}
