package dev.berth.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The import rules of operator/README.md, read off the sources: the command line is a leaf nothing imports. */
class PackageRulesTest {
    private static final Path MAIN = Path.of("src/main/java/dev/berth/operator");

    @Test
    void nothingButTheCommandLineImportsTheCommandLine() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (file.startsWith(MAIN.resolve("cli"))) {
                    continue;
                }
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("import dev.berth.operator.cli.") || line.contains(" dev.berth.operator.cli.")) {
                        offenders.add(MAIN.relativize(file) + ": " + line.trim());
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
