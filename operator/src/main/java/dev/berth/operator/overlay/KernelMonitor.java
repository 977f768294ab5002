package dev.berth.operator.overlay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-running monitor command ({@code ip monitor}, {@code bridge monitor}) whose output lines go to a consumer.
 * A monitor that exits is started again after a backoff (doubling up to a ceiling, back to the floor once one has
 * run for a while), with one log line per restart; since it heard nothing while it was down, {@code restarted} runs
 * once the new one is up, so that what it missed is looked at. One that closed its output but still runs is killed,
 * with its children, before the next is started (a child whose parent already exited is no longer found).
 */
final class KernelMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelMonitor.class);
    static final Duration MIN_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** A monitor that ran this long before exiting was healthy: the next restart waits the floor again. */
    private static final Duration HEALTHY_RUN = Duration.ofSeconds(60);

    private final String name;
    private final List<String> command;
    private final Consumer<String> lines;
    private final Runnable restarted;
    private final Runnable counted;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Process process;
    private Thread thread;

    /**
     * @param lines     called on the monitor's own thread for each line it prints (stdout and stderr)
     * @param restarted called after a restart, once the new process runs
     * @param counted   called for each restart (a metric)
     */
    KernelMonitor(String name, List<String> command, Consumer<String> lines, Runnable restarted, Runnable counted) {
        this.name = name;
        this.command = List.copyOf(command);
        this.lines = lines;
        this.restarted = restarted;
        this.counted = counted;
    }

    synchronized void start() {
        if (thread != null || stop.getCount() == 0) {
            return;
        }
        thread = new Thread(this::run, "kernel-monitor-" + name);
        thread.setDaemon(true);
        thread.start();
        log.info("kernel monitor {} started: {}", name, String.join(" ", command));
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        boolean first = true;
        while (stop.getCount() > 0) {
            long started = System.nanoTime();
            String outcome;
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                process = p;
                if (stop.getCount() == 0) {
                    p.destroy();
                    return;
                }
                if (!first) {
                    restarted.run();
                }
                String last;
                boolean killed = false;
                try {
                    last = pump(p);
                } finally {
                    // A monitor whose output closed (or could not be read) but still runs is not restarted beside itself.
                    if (!p.waitFor(2, TimeUnit.SECONDS)) {
                        killed = true;
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                    }
                }
                outcome = (killed ? "closed its output and was killed" : "exited " + p.exitValue())
                        + (last.isEmpty() ? "" : " after printing '" + last + "'");
            } catch (IOException e) {
                outcome = "failed: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            first = false;
            if (stop.getCount() == 0) {
                return;
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(HEALTHY_RUN) >= 0) {
                backoff = MIN_BACKOFF;
            }
            log.warn("kernel monitor {} {}; starting it again in {} ms", name, outcome, backoff.toMillis());
            counted.run();
            try {
                if (stop.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Feeds every line to the consumer until the process closes its output; returns the last line. */
    private String pump(Process p) throws IOException {
        String last = "";
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                last = line;
                try {
                    lines.accept(line);
                } catch (RuntimeException e) {
                    log.warn("kernel monitor {}: handling '{}' failed: {}", name, line, e.toString());
                }
            }
        } catch (IOException e) {
            if (stop.getCount() > 0) {
                throw e;
            }
        }
        return last.length() > 200 ? last.substring(0, 200) + "..." : last;
    }

    /** Stops the process and its thread; the monitor does not start again. */
    @Override
    public void close() {
        stop.countDown();
        Process p = process;
        if (p != null) {
            // A wrapper's children (e.g. ip netns exec) would keep the output open and the reader waiting.
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }
}
