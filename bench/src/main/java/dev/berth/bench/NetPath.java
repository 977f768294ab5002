package dev.berth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A path between two network namespaces (two containers', or two hosts'), measured with the host's own tools run
 * inside them through nsenter: iputils ping (the busybox image's ping takes whole-second intervals only) and
 * Debian's iperf3 (the image has none). Both ends use the same binaries on every path, so only the path differs.
 */
record NetPath(String name, String clientNetns, String serverNetns, String target) {
    private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");
    private static final Pattern BPS = Pattern.compile("\"sum_received\"[^}]*\"bits_per_second\":\\s*([0-9.eE+]+)");

    /** RTTs in µs of {@code count} pings 10 ms apart (lost ones are missing). */
    List<Double> ping(int count) throws IOException {
        String out = run(List.of("nsenter", "--net=" + clientNetns, "ping", "-n", "-c", String.valueOf(count), "-i", "0.01",
                "-W", "1", target), count / 50 + 60);
        List<Double> rtts = new ArrayList<>();
        Matcher m = TIME.matcher(out);
        while (m.find()) {
            rtts.add(Double.parseDouble(m.group(1)) * 1000);
        }
        return rtts;
    }

    /** TCP throughput in Gbit/s of one iperf3 stream for {@code seconds} (received bytes). */
    double throughput(int seconds, int port) throws IOException {
        Process server = new ProcessBuilder("nsenter", "--net=" + serverNetns, "iperf3", "-s", "-1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BenchSupport.sleep(500);
            String out = run(List.of("nsenter", "--net=" + clientNetns, "iperf3", "-c", target, "-p", String.valueOf(port),
                    "-t", String.valueOf(seconds), "-J"), seconds + 30);
            Matcher m = BPS.matcher(out);
            if (!m.find()) {
                throw new IOException("iperf3 on " + name + ": no result in " + out);
            }
            return Double.parseDouble(m.group(1)) / 1e9;
        } finally {
            server.destroy();
        }
    }

    private static String run(List<String> cmd, int timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out");
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
