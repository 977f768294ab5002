package dev.berth.bench;

import static dev.berth.bench.BenchSupport.fmt;

/** One figure: Berth's median and spread against a baseline's, with the goal on the ratio (NaN: no goal). */
record Row(String figure, Stats berth, Stats baseline, String baselineName, double goal, String unit, String note) {
    double ratio() {
        return baseline == null || baseline.median() == 0 ? Double.NaN : berth.median() / baseline.median();
    }

    String verdict() {
        if (Double.isNaN(goal) || Double.isNaN(ratio())) {
            return "";
        }
        return ratio() <= goal ? "met (≤ " + fmt(goal) + "×)" : "MISSED (goal ≤ " + fmt(goal) + "×)";
    }
}
