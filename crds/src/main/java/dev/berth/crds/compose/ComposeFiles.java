package dev.berth.crds.compose;

import dev.berth.crds.ManifestParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which files make a compose project, by compose-go's rules ({@code cli/options.go}): in a folder the first of
 * {@link #MAIN_NAMES} that exists, then the first of {@link #OVERRIDE_NAMES} next to it. Files given one by one
 * ({@code -f}) are taken as given, without an override. Reads them with the limits of {@code berth apply}.
 */
public final class ComposeFiles {
    /** compose-go's DefaultFileNames, in its order of preference. */
    public static final List<String> MAIN_NAMES = List.of("compose.yaml", "compose.yml", "docker-compose.yml",
            "docker-compose.yaml");
    /** compose-go's DefaultOverrideFileNames, in its order of preference. */
    public static final List<String> OVERRIDE_NAMES = List.of("compose.override.yml", "compose.override.yaml",
            "docker-compose.override.yml", "docker-compose.override.yaml");

    private ComposeFiles() {
    }

    /**
     * The project of one path as {@code berth import compose PATH} names it: a folder's main file, or the file
     * itself; with the override file next to it when there is one.
     *
     * @throws ComposeException when a folder holds no compose file
     */
    public static List<Path> discover(Path path) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            files.add(first(path, MAIN_NAMES).orElseThrow(() -> new ComposeException(new ComposeProblem(
                    path.toString(), 1, 1, "", "no compose file here (looked for " + String.join(", ", MAIN_NAMES)
                    + ")"))));
        } else {
            files.add(path);
            if (!MAIN_NAMES.contains(String.valueOf(path.getFileName()))) {
                // Compose adds an override only to a file it found itself (cli/options.go): a file named otherwise
                // (docker-compose.prod.yml) is the whole project.
                return files;
            }
        }
        Path folder = files.get(0).toAbsolutePath().getParent();
        Optional<Path> override = first(folder, OVERRIDE_NAMES).filter(o -> !isSame(o, files.get(0)));
        override.ifPresent(o -> files.add(files.get(0).resolveSibling(o.getFileName())));
        return files;
    }

    /** What {@link #discover} adds on its own, as a note at the override file. */
    public static List<ComposeProblem> notes(List<Path> files) {
        return notes(files.get(0).toAbsolutePath().getParent(), files);
    }

    /** {@link #notes(List)} of files named relative to another folder than the current one. */
    public static List<ComposeProblem> notes(Path folder, List<Path> files) {
        List<ComposeProblem> notes = new ArrayList<>();
        Path main = files.get(0);
        if (MAIN_NAMES.contains(String.valueOf(main.getFileName()))) {
            List<String> found = MAIN_NAMES.stream().filter(n -> Files.isRegularFile(folder.resolve(n))).toList();
            if (found.size() > 1) {
                // compose-go warns the same way when several default names exist (cli/options.go).
                notes.add(new ComposeProblem(main.toString(), 1, 1, "", "found several compose files with supported"
                        + " names (" + String.join(", ", found) + "); using " + main.getFileName()));
            }
        }
        for (int i = 1; i < files.size(); i++) {
            notes.add(new ComposeProblem(files.get(i).toString(), 1, 1, "", "merged over " + files.get(0)
                    + ", as Compose does with an override file next to the compose file (give -f to choose the files)"));
        }
        return notes;
    }

    /**
     * The files {@code COMPOSE_FILE} names, as compose-go reads it when no file is given (cli/options.go
     * WithConfigFileEnv): from the environment, else from the project's {@code .env}; split at
     * {@code COMPOSE_PATH_SEPARATOR} (default {@code :}, Linux's path list separator); relative to the folder.
     *
     * @param dotEnv the {@code .env} to read ({@code --env-file}, or the folder's)
     * @return the files, none when the variable is not set
     */
    public static List<Path> fromVariable(Path folder, Map<String, String> environment, Path dotEnv) {
        Map<String, String> values = new HashMap<>();
        if (Files.isRegularFile(dotEnv)) {
            String name = String.valueOf(dotEnv.getFileName());
            try {
                values.putAll(new EnvFile(name, environment::get).read(read(dotEnv, dotEnv.toString())));
            } catch (ComposeException e) {
                // The import reads this file again and reports the problem at its line; here it names no files.
                values.clear();
            }
        }
        values.putAll(environment);
        String variable = values.get("COMPOSE_FILE");
        if (variable == null || variable.isEmpty()) {
            return List.of();
        }
        String separator = values.getOrDefault("COMPOSE_PATH_SEPARATOR", "");
        separator = separator.isEmpty() ? java.io.File.pathSeparator : separator;
        List<Path> files = new ArrayList<>();
        for (String name : variable.split(Pattern.quote(separator))) {
            if (!name.isEmpty()) {
                files.add(folder.resolve(name).normalize());
            }
        }
        return files;
    }

    /** The note that says {@code COMPOSE_FILE} chose the files, at the first of them. */
    public static ComposeProblem variableNote(List<Path> files) {
        return new ComposeProblem(files.get(0).toString(), 1, 1, "", "the files COMPOSE_FILE names, as Compose reads"
                + " them: " + String.join(", ", files.stream().map(Path::toString).toList()));
    }

    /**
     * A compose file's text: at most as large as {@code berth apply} reads, UTF-8.
     *
     * @param shownAs how messages name the file
     * @throws ComposeException naming the file when it is missing, unreadable, too large or not UTF-8
     */
    public static String read(Path file, String shownAs) {
        int limit = ManifestParser.maxBytes();
        if (!Files.isRegularFile(file)) {
            // A device or a pipe (/dev/zero) would be read without end; only regular files are read.
            throw problem(shownAs, Files.exists(file) ? "not a regular file" : "no such file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw problem(shownAs, "cannot read: " + e.getMessage());
        }
        if (bytes.length > limit) {
            throw problem(shownAs, "larger than " + limit + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw problem(shownAs, "not UTF-8 text");
        }
    }

    private static ComposeException problem(String file, String message) {
        return new ComposeException(new ComposeProblem(file, 1, 1, "", message));
    }

    private static Optional<Path> first(Path folder, List<String> names) {
        return names.stream().map(folder::resolve).filter(Files::isRegularFile).findFirst();
    }

    private static boolean isSame(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
