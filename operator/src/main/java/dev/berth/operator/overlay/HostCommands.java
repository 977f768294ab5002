package dev.berth.operator.overlay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the prober's commands ({@code ping}, {@code bridge}) with a hard timeout, inside the operator's network
 * namespace when it manages one ({@code ip netns exec NS}). Output is drained on its own thread so a large FDB
 * listing cannot fill the pipe and stall the command past its timeout.
 */
public class HostCommands {
    private final Optional<String> netns;

    /** Exit code and standard output; exit -1 when the command could not run or timed out. */
    public record Result(int exitCode, String output) {
    }

    public HostCommands(Optional<String> netns) {
        this.netns = netns;
    }

    public Result run(List<String> command, Duration timeout) {
        List<String> argv = new ArrayList<>();
        netns.ifPresent(ns -> argv.addAll(List.of("ip", "netns", "exec", ns)));
        argv.addAll(command);
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, "cannot run " + String.join(" ", argv) + ": " + e.getMessage());
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()),
                runnable -> {
                    Thread t = new Thread(runnable, "probe-output");
                    t.setDaemon(true);
                    t.start();
                });
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new Result(-1, String.join(" ", argv) + " timed out after " + timeout.toMillis() + " ms");
            }
            return new Result(process.exitValue(), output.get(1, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        } catch (Exception e) {
            return new Result(-1, String.join(" ", argv) + ": " + e.getMessage());
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
