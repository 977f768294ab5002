package dev.berth.reconcilers.link;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throwaway network namespace ({@code blt<random6>}) for one test; {@link #close()} deletes it and all in it. */
final class Netns implements AutoCloseable {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private final SecureRandom random = new SecureRandom();
    final String name;

    private Netns(String name) {
        this.name = name;
    }

    static Netns create() {
        Netns ns = new Netns("blt" + token(new SecureRandom()));
        run(List.of("ip", "netns", "add", ns.name));
        return ns;
    }

    /** A fresh, up bridge standing in for Docker's. */
    String bridge() {
        String br = "bb" + token(random);
        ip("link", "add", br, "type", "bridge");
        ip("link", "set", br, "up");
        return br;
    }

    String ip(String... args) {
        return run(with("ip", args));
    }

    String bridgeCmd(String... args) {
        return run(with("bridge", args));
    }

    private List<String> with(String tool, String... args) {
        List<String> argv = new ArrayList<>(List.of(tool, "-n", name));
        argv.addAll(List.of(args));
        return argv;
    }

    static String token(SecureRandom random) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Runs a command that must succeed; returns stdout. */
    static String run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        run(List.of("ip", "netns", "del", name));
    }
}
