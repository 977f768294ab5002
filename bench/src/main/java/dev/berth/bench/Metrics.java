package dev.berth.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** One Prometheus text scrape: series (name plus labels) → value. */
final class Metrics {
    final Map<String, Double> series = new LinkedHashMap<>();

    Metrics(String text) {
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            try {
                series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (RuntimeException e) {
                // not a sample line
            }
        }
    }

    /** Sum of every series of the metric whose labels contain all the given fragments (e.g. operation="start_container"). */
    double sum(String name, String... fragments) {
        double total = 0;
        for (var e : series.entrySet()) {
            String k = e.getKey();
            if (!(k.equals(name) || k.startsWith(name + "{"))) {
                continue;
            }
            boolean all = true;
            for (String f : fragments) {
                all &= k.contains(f);
            }
            if (all) {
                total += e.getValue();
            }
        }
        return total;
    }

    /** Per value of one label: the summed counter, e.g. by operation. */
    Map<String, Double> byLabel(String name, String label) {
        Map<String, Double> out = new TreeMap<>();
        for (var e : series.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(name + "{")) {
                continue;
            }
            int i = k.indexOf(label + "=\"");
            if (i < 0) {
                continue;
            }
            int start = i + label.length() + 2;
            String value = k.substring(start, k.indexOf('"', start));
            out.merge(value, e.getValue(), Double::sum);
        }
        return out;
    }
}
