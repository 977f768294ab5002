package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A JFR recording of a running JVM (jcmd JFR.start / JFR.stop; async-profiler is not available), summarised as the
 * methods its CPU samples land in: the top frame, and the first frame of Berth's own code.
 */
final class JfrProfile {
    private final long pid;
    private final Path file;

    private JfrProfile(long pid, Path file) {
        this.pid = pid;
        this.file = file;
    }

    static JfrProfile start(long pid, Path file) throws IOException {
        BenchSupport.sh("jcmd", String.valueOf(pid), "JFR.start", "name=bench", "settings=profile");
        return new JfrProfile(pid, file);
    }

    /** Stops the recording and writes it to the file; the summary of its execution samples. */
    String stop() throws IOException {
        BenchSupport.sh("jcmd", String.valueOf(pid), "JFR.stop", "name=bench", "filename=" + file);
        String events = SwarmCluster.out("jfr", "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample",
                file.toString());
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> berth = new HashMap<>();
        int samples = 0;
        boolean inStack = false;
        boolean first = false;
        boolean berthSeen = false;
        for (String line : events.split("\n")) {
            String t = line.trim();
            if (t.startsWith("stackTrace = [")) {
                inStack = true;
                first = true;
                berthSeen = false;
                samples++;
            } else if (inStack && t.startsWith("]")) {
                inStack = false;
            } else if (inStack && !t.equals("...")) {
                String frame = t.replaceAll(" line: \\d+.*", "");
                if (first) {
                    top.merge(frame, 1, Integer::sum);
                    first = false;
                }
                if (!berthSeen && frame.startsWith("dev.berth.")) {
                    berth.merge(frame, 1, Integer::sum);
                    berthSeen = true;
                }
            }
        }
        return samples + " CPU samples; top frames: " + best(top, samples) + "; first Berth frames: " + best(berth, samples);
    }

    private static String best(Map<String, Integer> counts, int samples) {
        List<Map.Entry<String, Integer>> l = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(3).toList();
        return l.stream().map(e -> e.getKey() + " " + Math.round(100.0 * e.getValue() / Math.max(1, samples)) + " %")
                .collect(Collectors.joining(", "));
    }

}
