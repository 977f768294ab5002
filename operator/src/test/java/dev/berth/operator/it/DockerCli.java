package dev.berth.operator.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI as a user runs it against one daemon, with a config folder of the test's own (its logins), so
 * a test can check what {@code docker pull} says. Never the user's {@code ~/.docker}.
 */
record DockerCli(String dockerHost, Path config) {

    /** What a command printed (stdout and stderr) and whether it succeeded. */
    record Result(boolean ok, String out) {
    }

    Result run(String... args) {
        return withStdin(null, args);
    }

    Result withStdin(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("DOCKER_"));
        builder.environment().put("DOCKER_HOST", dockerHost);
        builder.environment().put("DOCKER_CONFIG", config.toString());
        try {
            Process p = builder.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("docker " + String.join(" ", args) + " did not end within 120 s: " + out);
            }
            return new Result(p.exitValue() == 0, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
