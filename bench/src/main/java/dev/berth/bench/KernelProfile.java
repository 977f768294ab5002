package dev.berth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the kernel spends a data path's CPU: a system-wide perf recording (software {@code cpu-clock} samples, so it
 * works in a VM without a PMU) of a few seconds, its samples summed by the kernel function they landed in and grouped
 * into what tells overlays apart (JFR does not see the kernel, and the data path is all kernel). Shares are of the
 * busy samples (the idle loop left out).
 */
final class KernelProfile {
    /** Checked in order; a symbol counts in the first group it matches. */
    private static final Map<String, Pattern> GROUPS = Collections.unmodifiableMap(groups());
    private static final Pattern SAMPLE = Pattern.compile("^\\s+([0-9.]+)%\\s+\\[[k.]\\]\\s+(\\S+)");
    private static final Pattern IDLE = Pattern.compile(
            "(pv_native_safe_halt|default_idle|native_safe_halt|cpu_idle_poll|poll_idle|acpi_safe_halt|mwait_idle\\w*|intel_idle\\w*|acpi_idle\\w*)");

    /** Busy share of all samples, and each group's share of the busy ones (0–1). */
    record Shares(double busy, Map<String, Double> groups) {
        String show() {
            StringBuilder s = new StringBuilder("busy " + Math.round(busy * 100) + " % of the CPUs' samples; of those:");
            groups.forEach((k, v) -> s.append(' ').append(k).append(' ').append(String.format(Locale.ROOT, "%.1f", v * 100)).append(" %,"));
            return s.substring(0, s.length() - 1);
        }
    }

    private static Map<String, Pattern> groups() {
        Map<String, Pattern> g = new LinkedHashMap<>();
        g.put("conntrack", Pattern.compile("(nf_conntrack|__nf_conntrack|nf_ct_|hash_conntrack|nf_nat|nf_confirm|tcp_in_window)\\w*"));
        g.put("iptables/nft rules", Pattern.compile("(nft_|__nft|nf_tables|ipt_do_table)\\w*"));
        g.put("netfilter hooks", Pattern.compile("(nf_hook|nf_iterate)\\w*"));
        g.put("br_netfilter", Pattern.compile("br_nf\\w*"));
        g.put("bridge", Pattern.compile("br_\\w*"));
        g.put("VXLAN/UDP", Pattern.compile("(vxlan|udp_tunnel|__udp4|udp4_|udp_rcv|udp_gro|udp_queue)\\w*"));
        // Data copies between user and kernel, and checksum-and-copy; not copy_process and its like.
        g.put("copies", Pattern.compile("(_?_?copy_(to|from)_\\w*|copy_user\\w*|rep_movs_alternative|_?_?memcpy\\w*|csum_partial_copy\\w*|skb_copy_datagram\\w*)"));
        return g;
    }

    static boolean available() {
        try {
            return new ProcessBuilder("perf", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * Records every CPU from {@code delayMs} after its start to {@code seconds} while {@code load} runs (the delay
     * skips the load's own start-up, so the window holds its steady part only).
     */
    static <T> Recorded<T> during(Path data, int delayMs, int seconds, IoSupplier<T> load) throws IOException {
        Process perf = new ProcessBuilder("perf", "record", "-q", "-e", "cpu-clock", "-a", "-D", String.valueOf(delayMs), "-o",
                data.toString(), "--", "sleep", String.valueOf(seconds)).redirectErrorStream(true)
                .redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile()).start();
        try {
            T result = load.get();
            if (!perf.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                throw new IOException("perf record did not end");
            }
            if (perf.exitValue() != 0) {
                throw new IOException("perf record failed (exit " + perf.exitValue() + "); see " + data + ".log");
            }
            return new Recorded<>(result, shares(data));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            perf.destroyForcibly();
        }
    }

    record Recorded<T>(T result, Shares shares) {
    }

    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }

    static Shares shares(Path data) throws IOException {
        Process p = new ProcessBuilder("perf", "report", "-i", data.toString(), "--stdio", "--no-children", "--sort", "sym",
                "-g", "none", "--percent-limit", "0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("perf report -i " + data + " failed (exit " + p.exitValue() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        Shares shares = shares(out.lines().toList());
        if (shares.busy() == 0 && shares.groups().values().stream().allMatch(v -> v == 0)) {
            throw new IOException("perf report -i " + data + " holds no samples");
        }
        return shares;
    }

    /** Pure: perf report's "percent [k] symbol" lines summed into groups. */
    static Shares shares(List<String> report) {
        double total = 0;
        double idle = 0;
        Map<String, Double> sums = new LinkedHashMap<>();
        GROUPS.keySet().forEach(k -> sums.put(k, 0.0));
        for (String line : report) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.find()) {
                continue;
            }
            double pct = Double.parseDouble(m.group(1));
            String symbol = m.group(2);
            total += pct;
            if (IDLE.matcher(symbol).matches()) {
                idle += pct;
                continue;
            }
            for (var g : GROUPS.entrySet()) {
                if (g.getValue().matcher(symbol).matches()) {
                    sums.merge(g.getKey(), pct, Double::sum);
                    break;
                }
            }
        }
        double busy = total - idle;
        Map<String, Double> shares = new LinkedHashMap<>();
        sums.forEach((k, v) -> shares.put(k, busy > 0 ? v / busy : 0));
        return new Shares(total > 0 ? busy / total : 0, shares);
    }
}
