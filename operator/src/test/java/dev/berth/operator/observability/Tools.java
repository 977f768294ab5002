package dev.berth.operator.observability;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finding Prometheus' binaries and the repository's charts/ folder; running promtool. */
final class Tools {
    private Tools() {
    }

    /** The absolute path of a program on PATH; fails (never skips) when it is missing. */
    static String require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(program + " is not on PATH: scripts/env-up.sh installs Debian's prometheus package");
    }

    static Path charts() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("charts").resolve("prometheus"))) {
                return p.resolve("charts");
            }
        }
        throw new AssertionError("charts/ not found above " + Path.of("").toAbsolutePath());
    }

    record Result(int exit, String output) {
    }

    /** Runs promtool with the arguments; stdin is the given text (or nothing). */
    static Result promtool(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + args[0] + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out);
    }
}
