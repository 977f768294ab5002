package dev.berth.operator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shipped charts against real parts: promtool on the shipped files and on the operator's /metrics, and a real
 * Prometheus (scrape and evaluation every second) scraping a real operator that reconciled some stacks, one of them
 * Degraded: every dashboard and alert expression runs without error, those whose metrics exist return data, the
 * catalogue in charts/README.md matches /metrics, and the Degraded and operator-down alerts fire.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusChartsTest {
    private static final Pattern CATALOGUE_ROW = Pattern.compile("^\\|\\s*`([a-z_][a-z0-9_]*)(?:\\{[^`]*\\})?`\\s*\\|(.*)$");

    private final Path charts = Tools.charts();
    private TestOperator op;
    private PrometheusServer prometheus;
    private String degraded;

    @BeforeAll
    void start() throws Exception {
        op = TestOperator.create().start();
        op.apply(StackYaml.stack(op.name("ok1")).yaml());
        op.apply(StackYaml.stack(op.name("ok2")).yaml());
        degraded = op.name("bad");
        op.apply(StackYaml.stack(degraded).image("berth-test/no-such-image:404").yaml());
        op.awaitReady(op.name("ok1"), 1);
        op.awaitReady(op.name("ok2"), 1);
        op.awaitDegraded(degraded);

        // The shipped rules with every `for:` shortened, so an alert goes pending and fires within seconds.
        Path dir = Files.createTempDirectory("berth-rules-");
        String rules = Files.readString(charts.resolve("prometheus/berth-alerts.yml"))
                .replaceAll("(?m)^(\\s+for:)\\s*\\S+", "$1 2s");
        Path rulesCopy = PrometheusServer.writeFile(dir, "berth-alerts-test.yml", rules);
        String config = """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: berth
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                        labels: {host: %s}
                """.formatted(rulesCopy, op.httpPort(), op.host);
        prometheus = new PrometheusServer(config);
        Await.until(Duration.ofSeconds(60), "ten scrapes of the operator",
                () -> prometheus.query("count_over_time(up{job=\"berth\"}[1m])").path("result").path(0)
                        .path("value").path(1).asDouble(0) >= 10 && prometheus.seriesCount("up{job=\"berth\"} == 1") == 1,
                prometheus::log);
    }

    @AfterAll
    void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (op != null) {
            op.close();
        }
    }

    @Test
    @Order(1)
    void promtoolAcceptsTheShippedConfigAndRules() throws Exception {
        Tools.Result config = Tools.promtool(null, "check", "config", charts.resolve("prometheus/prometheus.yml").toString());
        assertEquals(0, config.exit(), config.output());
        Tools.Result rules = Tools.promtool(null, "check", "rules", charts.resolve("prometheus/berth-alerts.yml").toString());
        assertEquals(0, rules.exit(), rules.output());
    }

    @Test
    @Order(2)
    void promtoolAcceptsTheOperatorsMetrics() throws Exception {
        String scrape = op.scrape();
        Tools.Result result = Tools.promtool(scrape, "check", "metrics");
        assertEquals(0, result.exit(), "promtool check metrics:\n" + result.output());
    }

    @Test
    @Order(3)
    void everyAlertRuleHasSummaryDescriptionAndAValidExpression() throws Exception {
        List<ChartQueries.Rule> rules = ChartQueries.rules(charts.resolve("prometheus/berth-alerts.yml"));
        Set<String> names = rules.stream().map(ChartQueries.Rule::alert).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("BerthReconcileErrorRatioHigh", "BerthObjectDegraded",
                "BerthWorkQueueNotDraining", "BerthHostLeaseLost", "BerthGitOpsSyncFailing", "BerthOperatorDown",
                "BerthOverlayPeerUnreachable")), names.toString());
        Set<String> scraped = sampleNames(op.scrape());
        Set<String> pending = pendingMetrics();
        List<String> problems = new ArrayList<>();
        for (ChartQueries.Rule r : rules) {
            if (r.annotations().path("summary").asText().isBlank() || r.annotations().path("description").asText().isBlank()) {
                problems.add(r.alert() + ": summary and description are required");
            }
            try {
                prometheus.query(r.expr());
            } catch (AssertionError e) {
                problems.add(r.alert() + ": " + e.getMessage());
            }
            for (String m : ChartQueries.metrics(r.expr())) {
                if (!m.equals("up") && !scraped.contains(m) && !pending.contains(m)) {
                    problems.add(r.alert() + ": reads " + m + ", which /metrics does not have and charts/README.md"
                            + " does not list as arriving later");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    @Order(4)
    void everyDashboardQueryRunsAndThoseWithExistingMetricsHaveData() throws Exception {
        List<ChartQueries.Query> queries = ChartQueries.dashboards(charts);
        assertTrue(queries.size() >= 30, "dashboards hold " + queries.size() + " queries");
        // An idle operator makes no etcd request (its resyncs read the watch-fed caches), and the etcd panels show
        // only operations with a rate above 0: some work first, as on any operator that has something to do.
        String busy = op.name("busy");
        op.apply(StackYaml.stack(busy).yaml());
        op.awaitReady(busy, 1);
        Await.until(Duration.ofSeconds(30), "Prometheus sees the operator's etcd requests",
                () -> prometheus.seriesCount("rate(berth_etcd_requests_total[30s]) > 0") > 0, prometheus::log);
        Set<String> scraped = sampleNames(op.scrape());
        Set<String> pending = pendingMetrics();
        List<String> problems = new ArrayList<>();
        int withData = 0;
        for (ChartQueries.Query q : queries) {
            String expr = ChartQueries.instantiate(q.expr(), op.host);
            assertFalse(expr.contains("$"), q.where() + ": unknown variable in " + expr);
            Set<String> missing = ChartQueries.metrics(expr).stream()
                    .filter(m -> !m.equals("up") && !scraped.contains(m)).collect(Collectors.toCollection(TreeSet::new));
            int series;
            try {
                series = prometheus.seriesCount(expr);
            } catch (AssertionError e) {
                problems.add(q.where() + ": " + e.getMessage());
                continue;
            }
            if (missing.isEmpty()) {
                if (series == 0 && selectsPendingSeries(expr)) {
                    continue;
                }
                if (series == 0) {
                    problems.add(q.where() + ": no data for " + expr);
                } else {
                    withData++;
                }
            } else if (!pending.containsAll(missing)) {
                missing.removeAll(pending);
                problems.add(q.where() + ": reads " + missing + ", not in /metrics and not listed in charts/README.md"
                        + " as arriving later");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(withData >= 25, withData + " queries returned data");
    }

    @Test
    @Order(5)
    void theCatalogueMatchesTheOperatorsMetrics() throws Exception {
        Set<String> catalogued = catalogue().keySet();
        Set<String> types = typeNames(op.scrape());
        Set<String> undocumented = types.stream().filter(n -> n.startsWith("berth_") && !catalogued.contains(n))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(undocumented.isEmpty(), "berth metrics missing from charts/README.md: " + undocumented);
        Set<String> pending = pendingMetrics();
        Set<String> absent = catalogued.stream()
                .filter(n -> n.startsWith("berth_") && !types.contains(n) && !pending.contains(n))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(absent.isEmpty(), "catalogued in charts/README.md but not served (mark them as arriving later?): " + absent);
    }

    @Test
    @Order(6)
    void degradedStackFiresTheDegradedAlert() {
        assertEquals(1.0, op.metric("berth_objects", "kind=\"stack\"", "condition=\"Degraded\"", "status=\"True\""));
        Await.until(Duration.ofSeconds(60), "BerthObjectDegraded firing in Prometheus",
                () -> alert("BerthObjectDegraded", "firing") != null, () -> prometheus.alerts().toString());
        JsonNode alert = alert("BerthObjectDegraded", "firing");
        assertEquals(op.host, alert.path("labels").path("host").asText());
        assertEquals("stack", alert.path("labels").path("kind").asText());
        assertTrue(alert.path("annotations").path("summary").asText().contains("Degraded"), alert.toString());
        assertTrue(prometheus.seriesCount("ALERTS{alertname=\"BerthObjectDegraded\", alertstate=\"firing\"}") == 1);
        assertTrue(prometheus.seriesCount("berth_objects_degraded_longest_seconds{kind=\"stack\"} > 0") == 1);
    }

    @Test
    @Order(7)
    void stoppedOperatorFiresOperatorDown() {
        op.stopOperator();
        Await.until(Duration.ofSeconds(60), "BerthOperatorDown pending or firing",
                () -> alert("BerthOperatorDown", "pending") != null || alert("BerthOperatorDown", "firing") != null,
                () -> prometheus.alerts().toString());
    }

    @Test
    @Order(8)
    void everyAlertHasItsRunbookSection() throws Exception {
        Path troubleshooting = charts.getParent().resolve("docs/troubleshooting.md");
        // Another change writes the page; once it is there, every anchor must be one of its "### Alert" headings.
        List<String> headings = Files.exists(troubleshooting) ? Files.readAllLines(troubleshooting) : null;
        List<String> problems = new ArrayList<>();
        for (ChartQueries.Rule r : ChartQueries.rules(charts.resolve("prometheus/berth-alerts.yml"))) {
            String expected = "docs/troubleshooting.md#" + r.alert().toLowerCase(java.util.Locale.ROOT);
            String url = r.annotations().path("runbook_url").asText();
            if (!url.equals(expected)) {
                problems.add(r.alert() + ": runbook_url is \"" + url + "\", expected \"" + expected + "\"");
            }
            if (headings != null && !headings.contains("### " + r.alert())) {
                problems.add(r.alert() + ": docs/troubleshooting.md has no \"### " + r.alert() + "\" heading");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    @Order(9)
    void everyCommandAnAlertQuotesExists() throws Exception {
        AlertCommands commands = new AlertCommands(java.util.Map.of(
                "kind", dev.berth.crds.Kinds.standard().all().stream().map(dev.berth.crds.KindDef::singular).toList(),
                // The controllers' names (berth_reconcile_total's controller label).
                "controller", List.of("stack", "network", "route", "gitops", "scheduler"),
                "source", List.of("web"), "host", List.of("host-a"), "name", List.of("stack"),
                "network", List.of("net"), "instance", List.of("host-a:9464")));
        List<String> problems = new ArrayList<>();
        for (ChartQueries.Rule r : ChartQueries.rules(charts.resolve("prometheus/berth-alerts.yml"))) {
            r.annotations().fields().forEachRemaining(a -> commands.problems(a.getValue().asText())
                    .forEach(p -> problems.add(r.alert() + " " + a.getKey() + ": " + p)));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * BerthOperatorDown when targets are gone, not only failing: evaluated as if the job had no target at all (every
     * {@code job="berth"} renamed: only absent() can answer), and as if this operator's target had just left service
     * discovery (the instant selectors renamed, the history kept).
     */
    @Test
    @Order(10)
    void operatorDownCoversVanishedTargets() throws Exception {
        String expr = ChartQueries.rules(charts.resolve("prometheus/berth-alerts.yml")).stream()
                .filter(r -> r.alert().equals("BerthOperatorDown")).findFirst().orElseThrow().expr();
        String gone = "job=\"berth-vanished\"";
        String noTargets = expr.replace("job=\"berth\"", gone);
        assertTrue(prometheus.seriesCount(noTargets) >= 1, "BerthOperatorDown must fire when job berth has no target"
                + " (absent(up{job=\"berth\"})): " + noTargets);
        String leftDiscovery = expr.replaceAll("job=\"berth\"}(?!\\[)", gone + "}");
        JsonNode result = prometheus.query(leftDiscovery).path("result");
        boolean thisHost = false;
        for (JsonNode series : result) {
            thisHost |= op.host.equals(series.path("metric").path("host").asText());
        }
        assertTrue(thisHost, "BerthOperatorDown must fire for a host whose target left service discovery: "
                + leftDiscovery + " gave " + result);
    }

    /**
     * True when one of the expression's selectors names a label value charts/README.md says arrives later (e.g.
     * {@code controller="network"}) and Prometheus has no series for that selector.
     */
    private boolean selectsPendingSeries(String expr) throws Exception {
        Set<String> pendingValues = new TreeSet<>();
        for (String line : Files.readAllLines(charts.resolve("README.md"))) {
            if (line.contains("arrive with")) {
                Matcher m = Pattern.compile("`([a-z_]+=\"[^\"]+\")`").matcher(line);
                while (m.find()) {
                    pendingValues.add(m.group(1));
                }
            }
        }
        Matcher selector = Pattern.compile("\\b(berth_[a-z0-9_]+)\\{([^}]*)\\}").matcher(expr);
        while (selector.find()) {
            String matchers = selector.group(2).replace(" ", "");
            boolean pending = pendingValues.stream().anyMatch(matchers::contains);
            if (pending && prometheus.seriesCount(selector.group(0)) == 0) {
                return true;
            }
        }
        return false;
    }

    private JsonNode alert(String name, String state) {
        for (JsonNode a : prometheus.alerts()) {
            if (name.equals(a.path("labels").path("alertname").asText()) && state.equals(a.path("state").asText())) {
                return a;
            }
        }
        return null;
    }

    /** Sample names in an exposition (berth_x_total, berth_x_bucket, ...). */
    static Set<String> sampleNames(String scrape) {
        return scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Names from "# TYPE name type" lines. */
    static Set<String> typeNames(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("# TYPE "))
                .map(l -> l.split(" ")[2]).collect(Collectors.toCollection(TreeSet::new));
    }

    /** charts/README.md's catalogue rows: metric name -> the rest of the row. */
    private java.util.Map<String, String> catalogue() throws Exception {
        java.util.Map<String, String> rows = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(charts.resolve("README.md"))) {
            Matcher m = CATALOGUE_ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), m.group(2));
            }
        }
        assertTrue(rows.size() > 20, "catalogue rows found: " + rows.keySet());
        return rows;
    }

    /** Metrics the catalogue marks "arrives with ..." (code not there yet), with their sample-name suffixes. */
    private Set<String> pendingMetrics() throws Exception {
        Set<String> pending = new TreeSet<>();
        catalogue().forEach((name, row) -> {
            if (row.contains("arrives with")) {
                pending.add(name);
                for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
                    pending.add(name + suffix);
                }
            }
        });
        return pending;
    }
}
