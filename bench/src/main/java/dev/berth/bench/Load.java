package dev.berth.bench;

import static dev.berth.bench.BenchSupport.sleep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** /proc/loadavg and a CPU idle sample. */
record Load(double load1, double idlePct) {
    static Load sample() {
        try {
            double l1 = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            long[] a = cpu();
            Thread.sleep(2000);
            long[] b = cpu();
            double idle = 100.0 * (b[1] - a[1]) / Math.max(1, b[0] - a[0]);
            return new Load(l1, idle);
        } catch (IOException | InterruptedException e) {
            return new Load(Double.NaN, Double.NaN);
        }
    }

    private static long[] cpu() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    boolean quiet() {
        return load1 < 1.5 && idlePct >= 70;
    }

    static Load awaitQuiet(int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Load l = sample();
        while (!l.quiet() && System.nanoTime() < deadline) {
            sleep(8000);
            l = sample();
        }
        return l;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "load1 %.2f, CPU idle %.0f %%%s", load1, idlePct, quiet() ? " (quiet)" : " (BUSY)");
    }
}
