package dev.berth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Timing, waiting, shell and formatting helpers every figure shares. */
final class BenchSupport {
    private BenchSupport() {
    }

    /** Where the operator's time went between two scrapes: summed durations by Docker operation, reconcile, queue wait. */
    static String profile(Metrics a, Metrics b) {
        StringBuilder p = new StringBuilder("profile (summed seconds): ");
        Map<String, Double> d0 = a.byLabel("berth_docker_request_duration_seconds_sum", "operation");
        Map<String, Double> d1 = b.byLabel("berth_docker_request_duration_seconds_sum", "operation");
        Map<String, Double> c0 = a.byLabel("berth_docker_requests_total", "operation");
        Map<String, Double> c1 = b.byLabel("berth_docker_requests_total", "operation");
        d1.forEach((k, v) -> {
            double d = v - d0.getOrDefault(k, 0.0);
            if (d > 0.0005) {
                p.append("docker ").append(k).append(' ').append(fmt(d)).append(" (").append(fmt(c1.getOrDefault(k, 0.0)
                        - c0.getOrDefault(k, 0.0))).append(" calls); ");
            }
        });
        p.append("etcd ").append(fmt(b.sum("berth_etcd_request_duration_seconds_sum") - a.sum("berth_etcd_request_duration_seconds_sum")))
                .append(" (").append(fmt(b.sum("berth_etcd_requests_total") - a.sum("berth_etcd_requests_total"))).append(" calls");
        Map<String, Double> e0 = a.byLabel("berth_etcd_requests_total", "operation");
        b.byLabel("berth_etcd_requests_total", "operation").forEach((k, v) -> {
            double d = v - e0.getOrDefault(k, 0.0);
            if (d > 0) {
                p.append(", ").append(k).append(' ').append(fmt(d));
            }
        });
        p.append("); ");
        p.append("reconcile ").append(fmt(b.sum("berth_reconcile_time_seconds_sum", "controller=\"stack\"")
                - a.sum("berth_reconcile_time_seconds_sum", "controller=\"stack\""))).append(" (")
                .append(fmt(b.sum("berth_reconcile_time_seconds_count", "controller=\"stack\"")
                        - a.sum("berth_reconcile_time_seconds_count", "controller=\"stack\""))).append(" reconciles); ");
        p.append("queue wait ").append(fmt(b.sum("berth_workqueue_queue_duration_seconds_sum", "name=\"stack\"")
                - a.sum("berth_workqueue_queue_duration_seconds_sum", "name=\"stack\"")));
        p.append("; retries ").append(fmt(b.sum("berth_workqueue_retries_total") - a.sum("berth_workqueue_retries_total")));
        return p.toString();
    }

    static double delta(Map<String, Double> a, Map<String, Double> b, Predicate<String> which) {
        double d = 0;
        for (var e : b.entrySet()) {
            if (which.test(e.getKey())) {
                d += e.getValue() - a.getOrDefault(e.getKey(), 0.0);
            }
        }
        return d;
    }

    static double proxyDelta(Map<String, Long> a, Map<String, Long> b, Predicate<String> which) {
        double d = 0;
        for (var e : b.entrySet()) {
            if (which.test(e.getKey())) {
                d += e.getValue() - a.getOrDefault(e.getKey(), 0L);
            }
        }
        return d;
    }

    static void await(Duration timeout, String what, BooleanSupplier condition, long pollMs) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // retry until the deadline
            }
            sleep(pollMs);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    /** Runs a cleanup step whose failure must not hide the error that ended the figure (the run's cleanup follows). */
    static void quietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            System.out.println("cleanup step failed (the run's cleanup retries it): " + e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sh(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + o);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static int sh0(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** Wall-clock time in ns since the epoch: the clock of Docker's event times, shared by all dockerds of a bed. */
    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double secs(long nanos) {
        return nanos / 1e9;
    }

    static String fmt(double d) {
        if (Double.isNaN(d)) {
            return "–";
        }
        if (Math.abs(d) >= 100) {
            return String.format(Locale.ROOT, "%.0f", d);
        }
        if (Math.abs(d) >= 10) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        return String.format(Locale.ROOT, "%.2f", d);
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
