package dev.berth.crds.compose;

import java.nio.file.Path;
import java.util.Map;

/**
 * One compose file to import.
 *
 * @param file        the name messages use (as the person typed it)
 * @param directory   the compose file's folder: relative paths, {@code .env} and {@code env_file} are read from here
 * @param text        the file's content
 * @param environment the variables for interpolation (the importing process's; {@code .env} fills the rest)
 * @param stackName   {@code --name}, or null for the file's {@code name:} or the folder's name
 * @param manifestDirectory the folder the output is written to ({@code -o}): a relative build context is written
 *                    relative to it, as a GitSource resolves it from the manifest's folder; the compose file's folder
 *                    when the output is printed
 */
public record ComposeInput(String file, Path directory, String text, Map<String, String> environment, String stackName,
                           Path manifestDirectory) {
    public ComposeInput {
        directory = directory.toAbsolutePath().normalize();
        environment = Map.copyOf(environment);
        manifestDirectory = manifestDirectory == null ? directory : manifestDirectory.toAbsolutePath().normalize();
    }

    /** Printed, not written to a file: paths relative to the compose file's folder. */
    public ComposeInput(String file, Path directory, String text, Map<String, String> environment, String stackName) {
        this(file, directory, text, environment, stackName, null);
    }
}
