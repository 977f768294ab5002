package dev.berth.operator.manifests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads the files behind {@code -f}: a file, a folder (its *.yaml and *.yml, recursively, sorted) or "-". */
public final class ManifestFiles {
    /** Read at most this much, so a huge file is reported by the parser's limit instead of filling memory. */
    private static final int READ_LIMIT = 16 * 1024 * 1024;

    public record ManifestFile(String name, byte[] content) {
    }

    private ManifestFiles() {
    }

    public static List<ManifestFile> read(List<String> paths, InputStream stdin) {
        List<ManifestFile> files = new ArrayList<>();
        for (String path : paths) {
            if (path.equals("-")) {
                files.add(new ManifestFile("<stdin>", readLimited(stdin, "<stdin>")));
                continue;
            }
            Path p = Path.of(path);
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    List<Path> found = walk.filter(Files::isRegularFile)
                            .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                            .sorted().toList();
                    if (found.isEmpty()) {
                        throw new ManifestFileException(path + ": no .yaml or .yml files in this folder");
                    }
                    for (Path f : found) {
                        files.add(readFile(f));
                    }
                } catch (IOException e) {
                    throw new ManifestFileException(path + ": cannot read folder: " + e.getMessage());
                }
            } else if (Files.exists(p)) {
                files.add(readFile(p));
            } else {
                throw new ManifestFileException(path + ": no such file or folder");
            }
        }
        return files;
    }

    private static ManifestFile readFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new ManifestFile(file.toString(), readLimited(in, file.toString()));
        } catch (IOException e) {
            throw new ManifestFileException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static byte[] readLimited(InputStream in, String name) {
        try {
            return in.readNBytes(READ_LIMIT);
        } catch (IOException e) {
            throw new ManifestFileException(name + ": cannot read: " + e.getMessage());
        }
    }
}
