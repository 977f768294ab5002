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
 */
public record ComposeInput(String file, Path directory, String text, Map<String, String> environment, String stackName) {
    public ComposeInput {
        directory = directory.toAbsolutePath().normalize();
        environment = Map.copyOf(environment);
    }
}
