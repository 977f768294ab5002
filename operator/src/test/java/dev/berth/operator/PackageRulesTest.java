package dev.berth.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The import rules of the module READMEs, read off the sources: packages depend one way (no cycles) in operator/
 * and in reconcilers/, and the command line is a leaf nothing imports.
 */
class PackageRulesTest {
    private static final Path OPERATOR = Path.of("src/main/java/dev/berth/operator");
    private static final Path RECONCILERS = Path.of("../reconcilers/src/main/java/dev/berth/reconcilers");

    @Test
    void nothingButTheCommandLineImportsTheCommandLine() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path file : javaFiles(OPERATOR)) {
            if (file.startsWith(OPERATOR.resolve("cli"))) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                if (line.contains("dev.berth.operator.cli.")) {
                    offenders.add(OPERATOR.relativize(file) + ": " + line.trim());
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void operatorPackagesDependOneWay() throws IOException {
        assertEquals(List.of(), cycles(OPERATOR, "dev.berth.operator"));
    }

    @Test
    void reconcilersPackagesDependOneWay() throws IOException {
        assertEquals(List.of(), cycles(RECONCILERS, "dev.berth.reconcilers"));
    }

    /** Each package pair that import each other, directly or through others ("a -> b -> a"). */
    private static List<String> cycles(Path root, String base) throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        Pattern use = Pattern.compile(Pattern.quote(base) + "\\.([a-z]+)\\.[A-Z]");
        for (Path file : javaFiles(root)) {
            Path relative = root.relativize(file);
            String from = relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
            Set<String> to = imports.computeIfAbsent(from, k -> new TreeSet<>());
            Matcher m = use.matcher(Files.readString(file));
            while (m.find()) {
                if (!m.group(1).equals(from)) {
                    to.add(m.group(1));
                }
            }
        }
        List<String> found = new ArrayList<>();
        for (String start : imports.keySet()) {
            path(start, start, imports, new ArrayList<>(List.of(start)), new HashSet<>(), found);
        }
        return found;
    }

    private static void path(String start, String at, Map<String, Set<String>> imports, List<String> trail,
                             Set<String> seen, List<String> found) {
        for (String next : imports.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                found.add(String.join(" -> ", trail) + " -> " + start);
            } else if (seen.add(next)) {
                trail.add(next);
                path(start, next, imports, trail, seen, found);
                trail.remove(trail.size() - 1);
            }
        }
    }

    private static List<Path> javaFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }
}
