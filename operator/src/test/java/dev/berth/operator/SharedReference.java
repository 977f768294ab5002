package dev.berth.operator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The team's shared reference data ({@code ../shared/reference/}: Traefik's formats, the socket proxy's rules), read
 * where it lies and never copied into the repository. Looked for in order: {@code BERTH_REFERENCE_DIR} (the
 * {@code reference} folder itself); a {@code shared/reference} next to this checkout or any folder above it; the
 * same next to the repository this one was cloned from (a clone in /tmp of a checkout beside the shared folder).
 */
public final class SharedReference {
    private SharedReference() {
    }

    /** The folder {@code reference/<sub>} that holds {@code file}, or a clear failure saying where it was looked for. */
    public static Path dir(String sub, String file) {
        List<Path> tried = new ArrayList<>();
        String env = System.getenv("BERTH_REFERENCE_DIR");
        if (env != null && !env.isBlank()) {
            Path candidate = Path.of(env).resolve(sub);
            if (Files.isRegularFile(candidate.resolve(file))) {
                return candidate;
            }
            throw new IllegalStateException("BERTH_REFERENCE_DIR=" + env + " has no " + sub + "/" + file
                    + "; it must name the shared reference folder (the one holding traefik/ and socket-proxy/)");
        }
        Path here = Path.of("").toAbsolutePath();
        Optional<Path> found = above(here, sub, file, tried);
        if (found.isPresent()) {
            return found.get();
        }
        Optional<Path> origin = originOf(here);
        if (origin.isPresent()) {
            found = above(origin.get(), sub, file, tried);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IllegalStateException("reference/" + sub + "/" + file + " not found (looked in " + tried.size()
                + " places, from " + tried.get(0) + " up); clone next to the shared folder, or set BERTH_REFERENCE_DIR"
                + " to its reference folder");
    }

    private static Optional<Path> above(Path start, String sub, String file, List<Path> tried) {
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("reference").resolve(sub).normalize();
            tried.add(candidate);
            if (Files.isRegularFile(candidate.resolve(file))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The local repository this checkout was cloned from, when its origin is a path on this machine. */
    private static Optional<Path> originOf(Path checkout) {
        try {
            Process git = new ProcessBuilder("git", "-C", checkout.toString(), "config", "--get", "remote.origin.url")
                    .redirectErrorStream(true).start();
            String url = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!git.waitFor(10, TimeUnit.SECONDS) || git.exitValue() != 0 || url.isEmpty()) {
                return Optional.empty();
            }
            String path = url.startsWith("file://") ? url.substring("file://".length()) : url;
            if (!path.startsWith("/")) {
                return Optional.empty(); // a remote URL (https, ssh, host:path): nothing to look beside
            }
            Path origin = Path.of(path);
            return Files.isDirectory(origin) ? Optional.of(origin.toAbsolutePath().normalize()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
