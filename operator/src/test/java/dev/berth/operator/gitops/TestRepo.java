package dev.berth.operator.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real git repository made with the git command line: a bare "origin" (what GitSources fetch) and a working
 * clone that commits and pushes to it, force-pushes included.
 */
final class TestRepo {
    final Path origin;
    final Path work;
    private final Path home;

    TestRepo(Path dir) throws IOException {
        origin = dir.resolve("origin.git");
        work = dir.resolve("work");
        home = dir.resolve("home");
        Files.createDirectories(home);
        git(dir, "init", "--bare", "-b", "main", origin.toString());
        git(dir, "init", "-b", "main", work.toString());
        git(work, "remote", "add", "origin", origin.toString());
    }

    String url() {
        return "file://" + origin;
    }

    void write(String path, String content) throws IOException {
        Path file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    void remove(String path) throws IOException {
        Files.deleteIfExists(work.resolve(path));
    }

    /** Commits everything and pushes (forced, like any push here); returns the new commit id. */
    String commit(String message) throws IOException {
        git(work, "add", "-A");
        git(work, "commit", "--allow-empty", "-q", "-m", message);
        git(work, "push", "-q", "--force", "origin", "main");
        git(origin, "update-server-info");
        return head();
    }

    String head() throws IOException {
        return git(work, "rev-parse", "HEAD").strip();
    }

    /** Moves main back to {@code commit} and force-pushes it: history rewritten, as after `git push --force`. */
    void forcePushBackTo(String commit) throws IOException {
        git(work, "reset", "-q", "--hard", commit);
        git(work, "push", "-q", "--force", "origin", "main");
        git(origin, "update-server-info");
    }

    String git(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Berth Test", "-c",
                "user.email=test@berth.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("git " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
