package dev.berth.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Counts flood entries appended to one device as the kernel reports them ({@code bridge monitor fdb}), so the
 * FDB figure ends when the last entry lands without polling {@code fdb show} (which would take CPU from the
 * operator being measured). Ready only once a probe entry on a device of its own has been seen, so no event of
 * the measured run can be missed.
 */
final class FdbWatch implements AutoCloseable {
    private final String ns;
    private final String probeDevice;
    private final Process monitor;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch all;
    private volatile long lastNanos;

    private FdbWatch(String ns, String device, int expected) throws IOException {
        this.ns = ns;
        this.probeDevice = "bvp" + Long.toHexString(System.nanoTime() & 0xffffff);
        this.all = new CountDownLatch(expected);
        run("ip", "-n", ns, "link", "add", probeDevice, "type", "vxlan", "id", "16000000", "dstport", "4789", "nolearning");
        monitor = new ProcessBuilder("bridge", "-n", ns, "monitor", "fdb").redirectErrorStream(true).start();
        String flood = "00:00:00:00:00:00 dev " + device + " dst ";
        String probe = "00:00:00:00:00:00 dev " + probeDevice + " dst ";
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith(probe)) {
                        ready.countDown();
                    } else if (line.startsWith(flood)) {
                        lastNanos = System.nanoTime();
                        all.countDown();
                    }
                }
            } catch (IOException e) {
                // The monitor was stopped.
            }
        }, "fdb-watch");
        reader.setDaemon(true);
        reader.start();
    }

    static FdbWatch start(String ns, String device, int expected) throws Exception {
        FdbWatch watch = new FdbWatch(ns, device, expected);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (watch.ready.getCount() > 0 && System.nanoTime() < deadline) {
                run("bridge", "-n", ns, "fdb", "append", "00:00:00:00:00:00", "dev", watch.probeDevice, "dst", "10.254.254.254");
                watch.ready.await(50, TimeUnit.MILLISECONDS);
                run("bridge", "-n", ns, "fdb", "del", "00:00:00:00:00:00", "dev", watch.probeDevice, "dst", "10.254.254.254");
            }
            if (watch.ready.getCount() > 0) {
                throw new IOException("bridge monitor fdb reported nothing within 10 s");
            }
            return watch;
        } catch (Exception e) {
            watch.close();
            throw e;
        }
    }

    /** System.nanoTime() when the expected number of entries had been reported. */
    long awaitAll(Duration timeout) throws InterruptedException {
        if (!all.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(all.getCount() + " flood entries still missing after " + timeout);
        }
        return lastNanos;
    }

    @Override
    public void close() throws Exception {
        monitor.destroy();
        monitor.waitFor(5, TimeUnit.SECONDS);
        run("ip", "-n", ns, "link", "del", probeDevice);
    }

    private static void run(String... argv) throws IOException {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", argv) + ": " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
