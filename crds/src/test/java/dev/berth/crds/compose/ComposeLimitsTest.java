package dev.berth.crds.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.ManifestParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one import may grow to: a few lines of {@code .env}, a compose file or an {@code extends} chain that double
 * or repeat each other are refused at their place instead of filling memory; files that are not regular files or
 * are too large are not read.
 */
class ComposeLimitsTest {
    @TempDir
    Path dir;

    @Test
    void doublingDotEnvValuesAreRefusedAtTheirLine() throws IOException {
        StringBuilder env = new StringBuilder("A0=" + "x".repeat(64) + "\n");
        for (int i = 1; i < 40; i++) {
            env.append("A").append(i).append("=${A").append(i - 1).append("}${A").append(i - 1).append("}\n");
        }
        Files.writeString(dir.resolve(".env"), env);
        String error = onlyError(run("services:\n  web:\n    image: nginx\n    restart: always\n", null));
        assertTrue(error.startsWith(".env:"), error);
        assertTrue(error.contains("larger than " + 2L * ManifestParser.maxBytes()), error);
    }

    @Test
    void interpolationSharesTheBudgetWithDotEnv() throws IOException {
        Files.writeString(dir.resolve(".env"), "A=" + "x".repeat(1000) + "\n");
        String compose = "services:\n  web:\n    image: nginx\n    restart: always\n    environment:\n      X: \""
                + "${A}".repeat(3000) + "\"\n";
        String error = onlyError(run(compose, null));
        assertTrue(error.startsWith("compose.yaml:6:10: services.web.environment.X: expanding variables"), error);
        // The same value once is fine.
        assertTrue(run(compose.replace("${A}".repeat(3000), "${A}"), null).ok());
    }

    @Test
    void anEnvFileThatIsNoRegularFileIsNotRead() {
        String error = onlyError(run("services:\n  web:\n    image: nginx\n", Path.of("/dev/zero")));
        assertEquals("/dev/zero:1:1: not a regular file", error);
    }

    @Test
    void aDotEnvLargerThanApplyReadsIsRefused() throws IOException {
        Files.writeString(dir.resolve(".env"), ("A=" + "x".repeat(1000) + "\n").repeat(ManifestParser.maxBytes() / 1000));
        String error = onlyError(run("services:\n  web:\n    image: nginx\n", null));
        assertEquals(".env:1:1: larger than " + ManifestParser.maxBytes() + " bytes", error);
    }

    @Test
    void aLongExtendsChainIsRefusedAShortOneKept() {
        String error = onlyError(run(chain(3000), null));
        assertTrue(error.contains("extends: with its extends chain resolved the project would be larger than"), error);
        ComposeImport kept = run(chain(100), null);
        assertTrue(kept.ok(), String.valueOf(kept.errors()));
    }

    private static String chain(int length) {
        StringBuilder compose = new StringBuilder("services:\n  s0:\n    image: nginx\n    restart: always\n"
                + "    environment: [E0=0]\n");
        for (int i = 1; i < length; i++) {
            compose.append("  s").append(i).append(": {extends: s").append(i - 1).append(", environment: [E")
                    .append(i).append("=0]}\n");
        }
        return compose.toString();
    }

    private ComposeImport run(String compose, Path envFile) {
        var input = new ComposeInput(List.of(new ComposeInput.File("compose.yaml", dir, compose)), dir, Map.of(),
                "limits", null, List.of(), envFile, List.of());
        return new ComposeImporter(new ComposeOptions(false)).convert(input);
    }

    private static String onlyError(ComposeImport result) {
        assertFalse(result.ok(), "accepted");
        assertEquals(1, result.errors().size(), String.valueOf(result.errors()));
        return result.errors().get(0).toString();
    }
}
