package dev.berth.operator.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Every PromQL expression shipped in charts/: dashboard panel targets and alert rules. */
final class ChartQueries {
    private static final Pattern METRIC = Pattern.compile("\\b((?:berth|jvm|process)_[a-z0-9_]+|up)\\b(?!\\s*\\()");

    record Query(String where, String expr) {
    }

    record Rule(String alert, String expr, String forDuration, JsonNode annotations) {
    }

    static List<Query> dashboards(Path charts) throws IOException {
        List<Query> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(charts.resolve("grafana"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode board = new ObjectMapper().readTree(f.toFile());
                collect(f.getFileName() + " / ", board.path("panels"), all);
            }
        }
        return all;
    }

    private static void collect(String prefix, JsonNode panels, List<Query> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Query(prefix + p.path("title").asText() + " [" + t.path("refId").asText() + "]",
                        t.path("expr").asText()));
            }
            collect(prefix, p.path("panels"), out);
        }
    }

    static List<Rule> rules(Path rulesFile) throws IOException {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(rulesFile.toFile());
        List<Rule> rules = new ArrayList<>();
        for (JsonNode group : doc.path("groups")) {
            for (JsonNode r : group.path("rules")) {
                rules.add(new Rule(r.path("alert").asText(), r.path("expr").asText(), r.path("for").asText(),
                        r.path("annotations")));
            }
        }
        return rules;
    }

    /** Metric names an expression reads (berth_*, jvm_*, process_*, up). */
    static Set<String> metrics(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr.replaceAll("\"[^\"]*\"", "\"\""));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Variables replaced as Grafana would, for a query at "now". */
    static String instantiate(String expr, String host) {
        return expr.replace("$__rate_interval", "30s").replace("$host", host);
    }
}
