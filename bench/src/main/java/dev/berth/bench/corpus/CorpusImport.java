package dev.berth.bench.corpus;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.compose.ComposeImport;
import dev.berth.crds.compose.ComposeImporter;
import dev.berth.crds.compose.ComposeInput;
import dev.berth.crds.compose.ComposeOptions;
import dev.berth.crds.compose.ComposeProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Imports one corpus file the way {@code berth import compose FILE} does (ImportCommand.Compose): the
 * ComposeImporter with the options the standard kinds allow, then the ManifestParser over its YAML, which must
 * accept what the importer wrote. The environment is a fixed map, never this process's variables, so the figure
 * does not depend on who runs it.
 */
final class CorpusImport {
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"|'[^']*'");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private final Kinds kinds = Kinds.standard();
    private final Map<String, String> environment;
    private final SilentChangeAudit audit;

    CorpusImport(Map<String, String> environment, SilentChangeAudit audit) {
        this.environment = Map.copyOf(environment);
        this.audit = audit;
    }

    Outcome run(CorpusEntry entry) throws IOException {
        String text = Files.readString(entry.compose(), StandardCharsets.UTF_8);
        // The name as ImportCommand passes it (the path typed), relative to the project folder.
        ComposeImport result = new ComposeImporter(ComposeOptions.detect(kinds)).convert(new ComposeInput(
                entry.compose().getFileName().toString(), entry.directory(), text, environment, null));
        if (!result.ok()) {
            boolean clear = result.errors().stream().allMatch(e -> e.line() > 0 && e.column() > 0);
            return new Outcome(Outcome.Kind.REFUSED,
                    result.errors().stream().map(CorpusImport::reason).distinct().toList(), clear, List.of());
        }
        ParseResult parsed = new ManifestParser(kinds).parse("<" + entry.name() + " as Berth objects>", result.yaml());
        if (!parsed.ok()) {
            String first = parsed.errors().get(0).toString().replaceFirst("^<[^>]*>:\\d+:\\d+: ", "");
            return Outcome.of(Outcome.Kind.INVALID_OUTPUT, generalise(first));
        }
        List<ComposeProblem> problems = new java.util.ArrayList<>(result.warnings());
        return new Outcome(Outcome.Kind.IMPORTED, List.of(), true,
                audit.silentPaths(entry, environment, result.yaml(), problems));
    }

    /** One small import, so class loading is not charged to the first corpus file's time box. */
    void warmUp() {
        String text = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n";
        ComposeImport result = new ComposeImporter(ComposeOptions.detect(kinds)).convert(new ComposeInput(
                "compose.yaml", java.nio.file.Path.of("."), text, environment, "warm-up"));
        new ManifestParser(kinds).parse("warm-up", result.yaml() == null ? "" : result.yaml());
    }

    /** "services.*.build: not supported (…)": the same refusal in two files counts once per kind. */
    static String reason(ComposeProblem problem) {
        String path = PathPattern.of(problem.path());
        String message = generalise(problem.message());
        return path.isEmpty() ? message : path + ": " + message;
    }

    private static String generalise(String message) {
        String m = NUMBER.matcher(QUOTED.matcher(message).replaceAll("\"…\"")).replaceAll("N");
        return m.length() > 110 ? m.substring(0, 110) + "…" : m;
    }
}
