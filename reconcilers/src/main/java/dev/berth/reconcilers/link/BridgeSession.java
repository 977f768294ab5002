package dev.berth.reconcilers.link;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code bridge -batch -} process kept running between passes, fed each pass's FDB lines on its stdin.
 *
 * <p>Starting a process per pass cost 15–40 ms on a busy host, more than programming a few hundred entries; with a
 * thousand peers arriving, passes queued behind each other (issue 21: FDB latency). After each batch a read-only
 * marker ({@code vlan show dev lo}: lo is in every namespace, and bridge 6.x flushes what it prints) says every
 * line before it has run. Without {@code -force} bridge stops at the first failing line as the one-shot run does: its
 * {@code Command failed -:N} (counted from the process's first line, so translated back to the batch's) names the
 * action, the process exits, and the next batch starts a new one.
 *
 * <p>A process that does not answer the marker at start within the command timeout (another iproute2) turns the
 * session off for good: the caller runs each batch as its own process. The process is stopped after a minute
 * unused, and restarted when the named namespace it entered was replaced by another of the same name, or when the
 * pass created or deleted a VXLAN device (bridge remembers a device's index by its name; a batch naming a device made again behind its
 * back fails with "unknown ifindex", which ends the process like any failing line, so the next pass starts afresh).
 */
final class BridgeSession implements AutoCloseable {
    static final String MARKER = "vlan show dev lo";
    static final Duration IDLE = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);
    private static final Pattern MARKER_OUTPUT = Pattern.compile("^port\\s+vlan");
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");
    /** Compared by identity: no line bridge prints is this object. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String EOF = new String("end of output");
    private static final Logger log = LoggerFactory.getLogger(BridgeSession.class);

    private final List<String> argv;
    /** What the namespace is now (its nsfs file's identity), or a constant without one. */
    private final Supplier<Object> namespace;
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bridge-session-idle");
        t.setDaemon(true);
        return t;
    });
    private final Duration idle;
    private Running running;
    private boolean unsupported;
    private boolean closed;
    private ScheduledFuture<?> idleStop;
    /** System.nanoTime() when the last batch ended: an idle stop that was already due waits for the lock, then sees it. */
    private long lastUsed = System.nanoTime();

    /** The kept process, what it prints (line by line), the namespace it entered and the lines it was sent. */
    private static final class Running {
        final Process process;
        final OutputStream stdin;
        final BlockingQueue<String> output;
        final Object namespace;
        long linesSent;

        Running(Process process, BlockingQueue<String> output, Object namespace) {
            this.process = process;
            this.stdin = process.getOutputStream();
            this.output = output;
            this.namespace = namespace;
        }
    }

    BridgeSession(List<String> argv, Supplier<Object> namespace) {
        this(argv, namespace, IDLE);
    }

    BridgeSession(List<String> argv, Supplier<Object> namespace, Duration idle) {
        this.argv = List.copyOf(argv);
        this.namespace = namespace;
        this.idle = idle;
    }

    /**
     * Runs the script's lines in the kept process, or says it cannot (empty: run it as a process of its own).
     * The result's stderr holds what bridge printed, its line numbers counted within {@code script}.
     *
     * @throws LinkDriverException when bridge does not answer within {@code timeout} (the process is stopped)
     */
    synchronized Optional<CommandRunner.CommandResult> run(String script, int lines, Duration timeout) {
        if (unsupported || closed) {
            return Optional.empty();
        }
        if (idleStop != null) {
            idleStop.cancel(false);
        }
        try {
            Running r = current(timeout);
            if (r == null) {
                return Optional.empty();
            }
            long base = r.linesSent;
            r.linesSent += lines + 1L;
            write(r, script + MARKER + "\n");
            List<String> printed = new ArrayList<>();
            boolean answered = awaitMarker(r, timeout, printed);
            if (answered) {
                return Optional.of(new CommandRunner.CommandResult(0, "", translate(printed, base)));
            }
            // Stopped at a failing line: its exit code and message, and a new process next time.
            running = null;
            int exit = exitCode(r.process);
            return Optional.of(new CommandRunner.CommandResult(exit == 0 ? 1 : exit, "", translate(printed, base)));
        } finally {
            lastUsed = System.nanoTime();
            idleStop = reaper.schedule(this::stopIfIdle, idle.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Running current(Duration timeout) {
        Object ns = namespace.get();
        if (running != null && running.process.isAlive() && Objects.equals(running.namespace, ns)) {
            return running;
        }
        stop();
        Running started = start(ns);
        List<String> printed = new ArrayList<>();
        write(started, MARKER + "\n");
        started.linesSent = 1;
        try {
            if (!awaitMarker(started, timeout, printed)) {
                // It could not start (say, the namespace is not there yet): a process of its own tells why, and the
                // next batch tries again.
                return null;
            }
        } catch (LinkDriverException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            unsupported = true;
            log.warn("{} does not answer between batches ({}); each FDB batch runs as a process of its own",
                    String.join(" ", argv), String.join(" ", printed).strip());
            return null;
        }
        running = started;
        return started;
    }

    private Running start(Object ns) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LinkDriverException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> read(process, output), "bridge-session-output");
        reader.setDaemon(true);
        reader.start();
        return new Running(process, output, ns);
    }

    private static void read(Process process, BlockingQueue<String> output) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
            }
        } catch (IOException e) {
            // The process was stopped.
        } finally {
            output.add(EOF);
        }
    }

    /**
     * On a thread of its own: a batch larger than the pipe blocks until bridge reads it, and a bridge stuck in the
     * kernel must not hold the caller past the timeout (the marker's wait ends it, and the write with it).
     */
    private static void write(Running r, String text) {
        Thread writer = new Thread(() -> {
            try {
                r.stdin.write(text.getBytes(StandardCharsets.UTF_8));
                r.stdin.flush();
            } catch (IOException e) {
                // bridge exited at a failing line before reading everything: its output says which.
            }
        }, "bridge-session-input");
        writer.setDaemon(true);
        writer.start();
    }

    /** True when the marker came back; false when the process ended first. */
    private boolean awaitMarker(Running r, Duration timeout, List<String> printed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String line = r.output.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    r.process.destroyForcibly();
                    running = null;
                    throw new LinkDriverException("bridge timed out after " + timeout.toSeconds()
                            + " s; the kernel state is unknown until the next read: " + String.join(" ", argv) + " "
                            + String.join(" ", printed).strip());
                }
                if (line == EOF) {
                    return false;
                }
                if (MARKER_OUTPUT.matcher(line).find()) {
                    return true;
                }
                printed.add(line);
            }
        } catch (InterruptedException e) {
            r.process.destroyForcibly();
            running = null;
            Thread.currentThread().interrupt();
            throw new LinkDriverException("interrupted while running " + String.join(" ", argv), e);
        }
    }

    private static String translate(List<String> printed, long base) {
        StringBuilder out = new StringBuilder();
        for (String line : printed) {
            Matcher m = FAILED_LINE.matcher(line);
            out.append(m.find() ? m.replaceFirst("Command failed -:" + (Long.parseLong(m.group(1)) - base)) : line)
                    .append('\n');
        }
        return out.toString();
    }

    private static int exitCode(Process process) {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The next batch starts a new process: devices were made or removed, and bridge caches their indexes by name. */
    synchronized void restart() {
        stop();
    }

    private synchronized void stopIfIdle() {
        if (System.nanoTime() - lastUsed >= idle.toNanos()) {
            stop();
        }
    }

    private void stop() {
        if (running != null) {
            Process process = running.process;
            try {
                // End of input: bridge exits by itself, or is made to soon after.
                running.stdin.close();
            } catch (IOException e) {
                process.destroyForcibly();
            }
            process.onExit().orTimeout(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(e -> {
                        process.destroyForcibly();
                        return process;
                    });
            running = null;
        }
    }

    /** The running process's id, if one runs (tests). */
    synchronized Optional<Long> pid() {
        return running != null && running.process.isAlive() ? Optional.of(running.process.pid()) : Optional.empty();
    }

    @Override
    public synchronized void close() {
        closed = true;
        stop();
        reaper.shutdownNow();
    }
}
