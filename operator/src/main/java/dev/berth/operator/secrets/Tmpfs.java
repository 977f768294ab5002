package dev.berth.operator.secrets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Whether a directory is a tmpfs mount point, and mounting one there ({@code mount -t tmpfs}, with a timeout). */
public final class Tmpfs {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final long TIMEOUT_SECONDS = 10;

    private Tmpfs() {
    }

    /** The file system type mounted last at {@code dir} (the one in effect), or "" when nothing is mounted there. */
    public static String typeAt(Path dir) throws IOException {
        String want = dir.toAbsolutePath().normalize().toString();
        String type = "";
        for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            String[] fields = line.split(" ");
            int dash = line.indexOf(" - ");
            if (fields.length < 5 || dash < 0) {
                continue;
            }
            if (unescape(fields[4]).equals(want)) {
                type = line.substring(dash + 3).split(" ")[0];
            }
        }
        return type;
    }

    public static boolean isTmpfs(Path dir) throws IOException {
        return typeAt(dir).equals("tmpfs");
    }

    /** Mounts a tmpfs of {@code size} (e.g. "64m") with mode 0700 at {@code dir}; the error holds mount's output. */
    public static void mount(Path dir, String size) throws IOException {
        run(List.of("mount", "-t", "tmpfs", "-o", "mode=0700,size=" + size + ",nosuid,nodev,noexec", "tmpfs",
                dir.toAbsolutePath().normalize().toString()));
    }

    /** Unmounts {@code dir} (tests clean up with it; operators never unmount what containers may still use). */
    public static void unmount(Path dir) throws IOException {
        run(List.of("umount", dir.toAbsolutePath().normalize().toString()));
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out after " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
                        + output.get(1, TimeUnit.SECONDS).strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + ")");
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** mountinfo writes space, tab, newline and backslash in paths as octal escapes. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 4 <= field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
