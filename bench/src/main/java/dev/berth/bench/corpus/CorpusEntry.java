package dev.berth.bench.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One folder of the corpus: the compose file Compose would pick there, and the override file it would add.
 *
 * @param name      the folder's name (owner__repo__path), as the report and SOURCES.tsv name it
 * @param directory the project folder (cwd of docker-compose, the importer's directory)
 * @param compose   the main file
 * @param overrides the override file next to it, if any (Compose reads it by default)
 */
record CorpusEntry(String name, Path directory, Path compose, List<Path> overrides) {
    /** Compose v2's order of default file names (compose-go cli.DefaultFileNames). */
    static final List<String> FILE_NAMES = List.of("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml");
    static final List<String> OVERRIDE_NAMES = List.of("compose.override.yaml", "compose.override.yml",
            "docker-compose.override.yml", "docker-compose.override.yaml");

    static Optional<CorpusEntry> in(Path directory) {
        for (String file : FILE_NAMES) {
            Path compose = directory.resolve(file);
            if (Files.isRegularFile(compose)) {
                List<Path> overrides = new ArrayList<>();
                for (String override : OVERRIDE_NAMES) {
                    if (Files.isRegularFile(directory.resolve(override))) {
                        overrides.add(directory.resolve(override));
                        break;
                    }
                }
                return Optional.of(new CorpusEntry(directory.getFileName().toString(), directory, compose, overrides));
            }
        }
        return Optional.empty();
    }

    static List<CorpusEntry> all(Path corpus) throws IOException {
        List<CorpusEntry> entries = new ArrayList<>();
        try (var folders = Files.list(corpus)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                in(folder).ifPresent(entries::add);
            }
        }
        return entries;
    }
}
