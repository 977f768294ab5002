package dev.berth.bench;

import static dev.berth.bench.BenchSupport.fmt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Measured values of one figure: median, percentiles and spread. */
record Stats(List<Double> values) {
    double median() {
        return pct(50);
    }

    double pct(double p) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * s.size());
        if (p == 50 && s.size() % 2 == 0) {
            return (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        }
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    double min() {
        return values.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
    }

    double max() {
        return values.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
    }

    String show(String unit) {
        return fmt(median()) + unit + " [" + fmt(min()) + "–" + fmt(max()) + ", n=" + values.size() + "]";
    }
}
