package dev.berth.crds.compose;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A compose project to import: one file or several merged in order ({@code -f a.yaml -f b.yaml}, or a file and
 * its {@code compose.override.yaml}), as Compose v2 loads them.
 *
 * @param files       the files, the first one the main file; later ones override earlier ones
 * @param directory   the project folder, the first file's folder: relative paths of every file, {@code .env} and
 *                    {@code env_file} are read from here, as in Compose
 * @param environment the variables for interpolation (the importing process's; {@code .env} fills the rest)
 * @param stackName   {@code --name}, or null for the file's {@code name:} or the folder's name
 * @param manifestDirectory the folder the output is written to ({@code -o}): a relative build context is written
 *                    relative to it, as a GitSource resolves it from the manifest's folder; the project folder
 *                    when the output is printed
 * @param profiles    the enabled profiles ({@code --profile}, else {@code COMPOSE_PROFILES})
 * @param envFile     {@code --env-file}: read instead of the project's {@code .env}; null for the project's
 * @param notes       what the import did on its own that the person should know (an override file merged), shown
 *                    as warnings at the file they name
 */
public record ComposeInput(List<File> files, Path directory, Map<String, String> environment, String stackName,
                           Path manifestDirectory, List<String> profiles, Path envFile, List<ComposeProblem> notes) {
    public ComposeInput {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a compose project needs a file");
        }
        files = List.copyOf(files);
        directory = directory.toAbsolutePath().normalize();
        environment = Map.copyOf(environment);
        manifestDirectory = manifestDirectory == null ? directory : manifestDirectory.toAbsolutePath().normalize();
        profiles = List.copyOf(profiles);
        envFile = envFile == null ? null : envFile.toAbsolutePath().normalize();
        notes = List.copyOf(notes);
    }

    /** One file, written to {@code -o}'s folder or printed ({@code manifestDirectory} null). */
    public ComposeInput(String file, Path directory, String text, Map<String, String> environment, String stackName,
                        Path manifestDirectory) {
        this(List.of(new File(file, directory, text)), directory, environment, stackName, manifestDirectory, List.of(),
                null, List.of());
    }

    /** One file, printed: paths relative to the compose file's folder. */
    public ComposeInput(String file, Path directory, String text, Map<String, String> environment, String stackName) {
        this(file, directory, text, environment, stackName, null);
    }

    /** The main file's name, as messages name it. */
    public String file() {
        return files.get(0).name();
    }

    /** The main file's content. */
    public String text() {
        return files.get(0).text();
    }

    /** The {@code .env} to read: {@code --env-file}, else the project folder's. */
    public Path dotEnvFile() {
        return envFile != null ? envFile : directory.resolve(".env");
    }

    /**
     * One file of the project.
     *
     * @param name      the name messages use (as the person typed it)
     * @param directory the file's own folder ({@code extends: file:} is read relative to it)
     * @param text      the file's content
     */
    public record File(String name, Path directory, String text) {
        public File {
            directory = directory.toAbsolutePath().normalize();
        }
    }
}
