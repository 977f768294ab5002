package dev.berth.operator.it;

import dev.berth.operator.FreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.berth.operator.Manifest.route;

import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.route.TraefikFormats;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routes in KV mode against the real etcd and dockerd with busybox httpd backends: the keys Berth writes are
 * checked against Traefik's own formats (kv-keys.tsv shapes, the v3 file-provider schema, list order), every
 * server URL is fetched, servers follow containers, deletion removes exactly Berth's keys, bad input is reported.
 */
class RouteKvTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    @RegisterExtension
    final TestOperator h = TestOperator.builder().ownTraefikRoot().build();
    private final String root = h.traefikRoot();


    private String webStack(String name, int port, String extra) {
        return StackYaml.stack(name).with("ports: [{target: 8080, published: " + port + ", hostIp: 127.0.0.1}]").with(extra).yaml();
    }

    private SortedMap<String, String> traefik() {
        SortedMap<String, String> all = new TreeMap<>();
        for (StoredValue v : h.etcd.kv.list(root + "/").values()) {
            all.put(v.key(), v.value());
        }
        return all;
    }

    private SortedMap<String, String> keysOf(String route) {
        SortedMap<String, String> mine = new TreeMap<>();
        traefik().forEach((k, v) -> {
            if (k.contains("/berth-" + route + "/") || k.contains("/berth-" + route + "_")) {
                mine.put(k, v);
            }
        });
        return mine;
    }

    private Optional<ObjectStatus> routeStatus(String route) {
        return h.etcd.kv.list(h.keys().statusPrefix("route", route)).values().stream().findFirst()
                .flatMap(v -> new StatusCodec().read(v.value()));
    }

    private String reason(String route) {
        return routeStatus(route).flatMap(s -> s.condition("Ready")).map(c -> c.reason()).orElse("");
    }

    private List<String> servers(String route) {
        return keysOf(route).entrySet().stream().filter(e -> e.getKey().endsWith("/url")).map(Map.Entry::getValue).toList();
    }

    private static int get(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void keysMatchTraefiksFormatsAndServersAnswerHttp() throws Exception {
        String s = h.name("web");
        int port = FreePorts.one();
        h.apply(webStack(s, port, ""));
        h.awaitReady(s, 1);
        List<String> entryPoints = IntStream.range(0, 12).mapToObj(i -> "ep" + i).toList();
        StringBuilder middlewares = new StringBuilder("middlewares:\n");
        List<String> expectedMiddlewares = new ArrayList<>();
        middlewares.append("  - ref: auth@file\n");
        expectedMiddlewares.add("auth@file");
        String[] inline = {
            "{name: https, redirectToHttps: {port: 8443}}", "{name: strip, stripPrefix: {prefixes: [/api, /v1]}}",
            "{name: users, basicAuth: {users: ['alice:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'], realm: berth}}",
            "{name: rl, rateLimit: {average: 100, burst: 50, period: 1s}}",
            "{name: hdr, headers: {request: {X-Env: prod}, response: {X-Frame-Options: DENY}}}",
            "{name: gz, compress: {}}"};
        for (String m : inline) {
            middlewares.append("  - ").append(m).append('\n');
            expectedMiddlewares.add("berth-api_" + m.replaceAll("^\\{name: ([a-z]+),.*", "$1"));
        }
        for (int i = 0; expectedMiddlewares.size() < 12; i++) {
            middlewares.append("  - ref: m").append(i).append("@file\n");
            expectedMiddlewares.add("m" + i + "@file");
        }
        h.apply(route("api", """
                hosts: [a.example, b.example]
                pathPrefixes: [/api]
                entryPoints: [%s]
                priority: 50
                tls: {certResolver: le, domains: [{main: a.example, sans: [b.example]}]}
                %s
                target: {stack: %s, service: web, port: 8080}
                healthCheck: {path: /, interval: 5s}
                """.formatted(String.join(", ", entryPoints), middlewares.toString().stripTrailing().replace("\n", "\n"), s)));
        Await.until(WAIT, "route api Ready with one server", () -> routeStatus("api").map(ObjectStatus::ready).orElse(false)
                && servers("api").size() == 1, () -> routeStatus("api") + " " + keysOf("api"));
        // Counted, not named: one Ready route with one ready backend, its keys written in one transaction.
        Await.until(WAIT, "berth_routes counts the Ready route", () -> h.metric("berth_routes", "state=\"ready\"") == 1.0
                && h.metric("berth_route_backends", "state=\"ready\"") == 1.0
                && h.metric("berth_route_backends", "state=\"total\"") == 1.0, this::routeMetrics);
        assertTrue(h.metric("berth_route_kv_writes_total", "outcome=\"success\"") >= 1, routeMetrics());
        assertEquals(0.0, h.metric("berth_route_kv_writes_total", "outcome=\"conflict\""), routeMetrics());
        assertFalse(h.scrape().lines().filter(l -> l.startsWith("berth_route")).anyMatch(l -> l.contains("api")),
                "no route name in a label");

        SortedMap<String, String> keys = traefik();
        assertEquals(List.of(), TraefikFormats.keysWithoutShape(root, keys.keySet()), "every key has a kv-keys.tsv shape");
        Map<String, Object> document = TraefikFormats.toFileProvider(root, keys);
        assertEquals(List.of(), TraefikFormats.schemaErrors(document), "file-provider form of " + document);

        // More than ten entries: the string order of the indices (Traefik's order) is the declared order.
        String router = root + "/http/routers/berth-api/";
        List<String> readEntryPoints = keys.entrySet().stream().filter(e -> e.getKey().startsWith(router + "entryPoints/"))
                .map(Map.Entry::getValue).toList();
        assertEquals(entryPoints, readEntryPoints);
        List<String> readMiddlewares = keys.entrySet().stream().filter(e -> e.getKey().startsWith(router + "middlewares/"))
                .map(Map.Entry::getValue).toList();
        assertEquals(expectedMiddlewares, readMiddlewares);
        assertEquals("(Host(`a.example`) || Host(`b.example`)) && PathPrefix(`/api`)", keys.get(router + "rule"));
        assertEquals("le", keys.get(router + "tls/certResolver"));
        assertEquals("https", keys.get(root + "/http/middlewares/berth-api_https/redirectScheme/scheme"));

        // Every server URL answers HTTP from this (the underlay) side.
        assertEquals(List.of("http://127.0.0.1:" + port), servers("api"));
        for (String url : servers("api")) {
            int code = get(url);
            assertTrue(code >= 100 && code < 600, url + " answered " + code);
        }
        // The record of what Berth wrote lists exactly these keys.
        assertEquals(keysOf("api").keySet(), new TraefikKvWriterView(h).written("api"));
        assertEquals(1, routeStatus("api").orElseThrow().services().get("web").running());

        // berth get routes: rule, backends ready/total, TLS; berth describe route: the keys.
        String get = cli("get", "routes");
        assertTrue(get.lines().findFirst().orElse("").matches("NAME\\s+RULE\\s+BACKENDS\\s+TLS\\s+STATUS\\s+AGE\\s*"), get);
        String row = get.lines().filter(l -> l.startsWith("api ")).findFirst().orElseThrow();
        assertTrue(row.contains("(Host(`a.example`) || Host(`b.example`)) && PathPrefix(`/api`)") && row.contains(" 1/1 ")
                && row.contains(" le ") && row.contains(" Ready "), get);
        String describe = cli("describe", "route", "api");
        for (String key : keysOf("api").keySet()) {
            assertTrue(describe.contains("\n  " + key + "\n"), key + " listed in\n" + describe);
        }
        assertTrue(describe.contains("Traefik keys (" + keysOf("api").size() + "):"), describe);
    }

    private String cli(String... args) {
        CliRun run = h.cli(args);
        assertEquals(0, run.exit(), run.out() + run.err());
        return run.out();
    }

    @Test
    void serversFollowContainersAndDeleteRemovesExactlyBerthsKeys() throws Exception {
        String s = h.name("hc");
        int port = FreePorts.one();
        h.apply(webStack(s, port, "healthcheck: {test: [CMD, sh, -c, 'test ! -f /tmp/sick'], interval: 1s, timeout: 1s, retries: 1}"));
        h.apply(route("hc", "pathPrefixes: [/]\ntarget: {stack: " + s + ", service: web, port: 8080}"));
        Await.until(WAIT, "one healthy server", () -> servers("hc").size() == 1 && reason("hc").equals("BackendsReady"),
                () -> routeStatus("hc") + " " + keysOf("hc"));
        String id = h.running(s).get(0).getId();

        exec(id, "touch /tmp/sick");
        Await.until(WAIT, "unhealthy container leaves the servers", () -> servers("hc").isEmpty()
                && reason("hc").equals("NoHealthyBackends"), () -> routeStatus("hc") + " " + keysOf("hc"));
        Await.until(WAIT, "berth_routes counts the route without a healthy backend",
                () -> h.metric("berth_routes", "state=\"no_backends\"") == 1.0 && h.metric("berth_routes", "state=\"ready\"") == 0.0
                        && h.metric("berth_route_backends", "state=\"ready\"") == 0.0
                        && h.metric("berth_route_backends", "state=\"total\"") == 1.0, this::routeMetrics);
        assertTrue(keysOf("hc").containsKey(root + "/http/routers/berth-hc/rule"), "the router stays (Traefik answers 503)");
        exec(id, "rm -f /tmp/sick");
        Await.until(WAIT, "healthy again: back in the servers", () -> servers("hc").size() == 1, () -> routeStatus("hc").toString());

        h.docker.stopContainerCmd(id).withTimeout(1).exec();
        Await.until(WAIT, "the operator replaces the stopped container and the server follows",
                () -> servers("hc").size() == 1 && !h.running(s).isEmpty() && !h.running(s).get(0).getId().equals(id)
                        && reason("hc").equals("BackendsReady"), () -> routeStatus("hc") + " " + keysOf("hc"));
        for (String url : servers("hc")) {
            int code = get(url);
            assertTrue(code >= 100 && code < 600, url + " answered " + code);
        }

        // Keys Berth did not write, next to and inside its names, must survive the route's deletion.
        String foreignRouter = root + "/http/routers/by-hand/rule";
        String foreignInside = root + "/http/routers/berth-hc/observability/metrics";
        h.etcd.kv.put(foreignRouter, "Host(`x`)");
        h.etcd.kv.put(foreignInside, "true");
        SortedMap<String, String> before = keysOf("hc");
        before.remove(foreignInside);
        double writesBeforeDelete = h.metric("berth_route_kv_writes_total", "outcome=\"success\"");
        h.delete("Route", "hc");
        Await.until(WAIT, "Berth's keys of the route deleted", () -> keysOf("hc").keySet().equals(java.util.Set.of(foreignInside))
                && routeStatus("hc").isEmpty(), () -> keysOf("hc").toString());
        Await.until(WAIT, "the deleted route leaves berth_routes and its removal is a counted write",
                () -> h.metric("berth_routes") == 0.0 && h.metric("berth_route_backends") == 0.0
                        && h.metric("berth_route_kv_writes_total", "outcome=\"success\"") >= writesBeforeDelete + 1,
                this::routeMetrics);
        assertEquals("Host(`x`)", h.etcd.kv.get(foreignRouter).orElseThrow().value());
        assertEquals("true", h.etcd.kv.get(foreignInside).orElseThrow().value());
        assertFalse(before.isEmpty());
    }

    @Test
    void badTargetsAndConflictsAreReportedAndNothingElseChanges() throws Exception {
        String s = h.name("bad");
        int port = FreePorts.one();
        h.apply(webStack(s, port, ""));
        h.awaitReady(s, 1);
        h.apply(route("nostack", "hosts: [n.example]\ntarget: {stack: " + h.instance + "-missing, service: web, port: 8080}"));
        h.apply(route("nosvc", "hosts: [s.example]\ntarget: {stack: " + s + ", service: db, port: 8080}"));
        h.apply(route("noport", "hosts: [p.example]\ntarget: {stack: " + s + ", service: web, port: 9090}"));
        h.apply(route("first", "hosts: [c.example]\npriority: 5\ntarget: {stack: " + s + ", service: web, port: 8080}"));
        Await.until(WAIT, "first written", () -> reason("first").equals("BackendsReady"), () -> routeStatus("first").toString());
        h.apply(route("second", "rule: \"Host(`c.example`)\"\npriority: 5\ntarget: {stack: " + s + ", service: web, port: 8080}"));
        Await.until(WAIT, "every bad route reported", () -> reason("nostack").equals("TargetNotFound")
                && reason("nosvc").equals("TargetNotFound") && reason("noport").equals("PortNotExposed")
                && reason("second").equals("RuleConflict"), () -> List.of("nostack", "nosvc", "noport", "second").stream()
                .map(r -> r + "=" + routeStatus(r)).collect(Collectors.joining("\n")));
        assertTrue(message("nostack").contains("stack \"" + h.instance + "-missing\" does not exist"), message("nostack"));
        assertTrue(message("nosvc").contains("has no service \"db\" (services: web)"), message("nosvc"));
        assertTrue(message("noport").contains("does not publish container port 9090 (published: 8080->" + port + ")"), message("noport"));
        assertTrue(message("second").contains("same rule and priority as route \"first\""), message("second"));
        assertTrue(routeStatus("second").orElseThrow().condition("Degraded").orElseThrow().isTrue());
        for (String r : List.of("nostack", "nosvc", "noport", "second")) {
            assertEquals(Map.of(), keysOf(r), r + " wrote nothing");
        }
        assertEquals(List.of("http://127.0.0.1:" + port), servers("first"), "the good route is untouched");

        // A key with Berth's name that Berth did not write is someone else's: reported, never overwritten.
        h.etcd.kv.put(root + "/http/routers/berth-taken/rule", "Host(`mine`)");
        h.apply(route("taken", "hosts: [t.example]\ntarget: {stack: " + s + ", service: web, port: 8080}"));
        Await.until(WAIT, "KeyConflict", () -> reason("taken").equals("KeyConflict"), () -> routeStatus("taken").toString());
        assertEquals(Map.of(root + "/http/routers/berth-taken/rule", "Host(`mine`)"), keysOf("taken"));
        // Five Degraded routes (nostack, nosvc, noport, second, taken), one Ready; the refused write counted.
        Await.until(WAIT, "berth_routes counts the Degraded routes", () -> h.metric("berth_routes", "state=\"degraded\"") == 5.0
                && h.metric("berth_routes", "state=\"ready\"") == 1.0, this::routeMetrics);
        assertTrue(h.metric("berth_route_kv_writes_total", "outcome=\"conflict\"") >= 1, routeMetrics());

        // Invalid manifests never reach etcd: apply refuses them with line and column.
        var parsed = new dev.berth.crds.ManifestParser(dev.berth.crds.Kinds.standard()).parse("bad.yaml",
                route("bt", "rule: \"Host(`a)\"\ntarget: {stack: " + s + ", service: web, port: 8080}")
                        + "---\n" + route("um", "rule: \"Hots(`a`)\"\ntarget: {stack: " + s + ", service: web, port: 8080}")
                        + "---\n" + route("at@x", "hosts: [a]\ntarget: {stack: " + s + ", service: web, port: 8080}"));
        assertEquals(3, parsed.errors().size(), parsed.errors().toString());
        assertTrue(parsed.errors().get(0).toString().startsWith("bad.yaml:6:9: spec.rule: unbalanced backticks"));
        assertTrue(parsed.errors().get(1).toString().contains("unknown matcher \"Hots\""));
        assertTrue(parsed.errors().get(2).toString().contains("metadata.name"));
    }

    private String routeMetrics() {
        return h.scrape().lines().filter(l -> l.startsWith("berth_route")).collect(Collectors.joining("\n"));
    }

    private String message(String route) {
        return routeStatus(route).flatMap(s -> s.condition("Ready")).map(c -> c.message()).orElse("");
    }

    private void exec(String container, String command) {
        String exec = h.docker.execCreateCmd(container).withCmd("sh", "-c", command).exec().getId();
        try {
            h.docker.execStartCmd(exec).start().awaitCompletion(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads Berth's record of written keys the way the operator does. */
    private static final class TraefikKvWriterView {
        private final dev.berth.operator.route.TraefikKvWriter writer;

        TraefikKvWriterView(TestOperator h) {
            writer = new dev.berth.operator.route.TraefikKvWriter(h.etcd.kv, h.keys());
        }

        java.util.Set<String> written(String route) {
            return writer.written(route).orElseThrow().keys().keySet();
        }
    }
}
