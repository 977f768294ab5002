package dev.berth.reconcilers.link;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command with a hard timeout. Stdin, stdout and stderr each get their own thread: a large batch writes more
 * to stdout than a pipe holds, and a hung command must not block the caller past the timeout.
 */
final class ProcessCommandRunner implements CommandRunner {
    @Override
    public CommandResult run(List<String> argv, String stdin, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new LinkDriverException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        Collector out = Collector.start(process.getInputStream(), "link-stdout");
        Collector err = Collector.start(process.getErrorStream(), "link-stderr");
        Thread writer = daemon(() -> write(process.getOutputStream(), stdin), "link-stdin");
        writer.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LinkDriverException(argv.get(0) + " timed out after " + timeout.toSeconds()
                        + " s; the kernel state is unknown until the next read: " + String.join(" ", argv)
                        + " " + err.text(Duration.ofMillis(200)).strip());
            }
            return new CommandResult(process.exitValue(), out.text(timeout), err.text(timeout));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LinkDriverException("interrupted while running " + String.join(" ", argv), e);
        }
    }

    private static void write(OutputStream os, String stdin) {
        try (os) {
            os.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The command exited early (e.g. a batch stopped at a failing line); its exit code tells the story.
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Drains one stream to memory. */
    private static final class Collector {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        private Collector(InputStream in, String name) {
            this.thread = daemon(() -> drain(in), name);
        }

        static Collector start(InputStream in, String name) {
            Collector c = new Collector(in, name);
            c.thread.start();
            return c;
        }

        private void drain(InputStream in) {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    synchronized (buffer) {
                        buffer.write(chunk, 0, n);
                    }
                }
            } catch (IOException e) {
                // Stream closed by destroyForcibly; what was read so far is kept.
            }
        }

        String text(Duration wait) throws InterruptedException {
            thread.join(Math.max(1, wait.toMillis()));
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
