package dev.berth.operator.images;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.Await;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Stacks, git repositories and the docker CLI for the build tests. */
final class BuildTestSupport {
    private BuildTestSupport() {
    }

    /** A stack object as the store would hand it over, with the given annotations (name: value lines). */
    static StoredObject stack(String name, List<String> annotations, String serviceYaml) {
        StringBuilder yaml = new StringBuilder("apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: " + name + "\n");
        if (!annotations.isEmpty()) {
            yaml.append("  annotations:\n");
            annotations.forEach(a -> yaml.append("    ").append(a).append('\n'));
        }
        yaml.append("spec:\n  services:\n").append(serviceYaml);
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("stack.yaml", yaml.toString());
        if (!parsed.ok()) {
            throw new IllegalArgumentException(parsed.errors() + "\n" + yaml);
        }
        Resource r = parsed.resources().get(0);
        KindDef kind = Kinds.standard().byKind("Stack").orElseThrow();
        return new StoredObject(kind, name, new StoredValue("/x/stack/" + name, yaml.toString(), 1, 1, 1),
                Optional.of(r), List.of());
    }

    static ServiceSpec service(StoredObject stack, String name) {
        return stack.resource().orElseThrow().spec(StackSpec.class).services().stream()
                .filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** Asks until the state is no longer in progress (each call as a pass would make it), within {@code timeout}. */
    static ImageState settled(ImageBuilds builds, StoredObject stack, String service, Duration timeout) {
        AtomicReference<ImageState> last = new AtomicReference<>();
        Await.until(timeout, "the image of " + stack.name() + "/" + service + " settles", () -> {
            last.set(builds.image(stack, service(stack, service), () -> {
            }));
            return !(last.get() instanceof ImageState.InProgress);
        }, () -> String.valueOf(last.get()));
        return last.get();
    }

    static String run(Path dir, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    static String docker(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(Path.of(System.getProperty("java.io.tmpdir")), command.toArray(String[]::new));
    }

    /** A repository with a bare origin (file:// URL) and a working clone. */
    static final class Repo {
        final Path origin;
        final Path work;

        Repo(Path dir) throws IOException {
            origin = dir.resolve("origin.git");
            work = dir.resolve("work");
            Files.createDirectories(dir);
            git(dir, "init", "-q", "--bare", "-b", "main", origin.toString());
            git(dir, "init", "-q", "-b", "main", work.toString());
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

        String commit(String message) throws IOException {
            git(work, "add", "-A");
            git(work, "commit", "--allow-empty", "-q", "-m", message);
            git(work, "push", "-q", "--force", "origin", "main");
            return git(work, "rev-parse", "HEAD").strip();
        }

        String git(Path dir, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Berth Test", "-c",
                    "user.email=test@berth.invalid", "-c", "commit.gpgsign=false"));
            command.addAll(List.of(args));
            return run(dir, command.toArray(String[]::new));
        }
    }
}
