package dev.berth.crds.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.ValidationError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing and validating Route manifests: the whole spec, and each bad input with its line and column. */
class RouteSpecTest {
    private final ManifestParser parser = new ManifestParser(Kinds.standard());

    private static String route(String name, String spec) {
        return "apiVersion: berth.dev/v1\nkind: Route\nmetadata:\n  name: " + name + "\nspec:\n" + spec;
    }

    private static final String TARGET = "  target: {stack: web, service: httpd, port: 8080}\n";

    private List<String> errors(String yaml) {
        return parser.parse("r.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    @Test
    void fullSpecBindsWithDefaults() {
        ParseResult result = parser.parse("r.yaml", route("api", """
                  hosts: [a.example, b.example]
                  pathPrefixes: [/api]
                  entryPoints: [websecure]
                  priority: 50
                  tls: {certResolver: le, domains: [{main: a.example, sans: [b.example]}]}
                  middlewares:
                    - ref: auth@file
                    - {name: https, redirectToHttps: {}}
                    - {name: strip, stripPrefix: {prefixes: [/api]}}
                    - {name: users, basicAuth: {users: ['alice:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/']}}
                    - {name: rl, rateLimit: {average: 100, burst: 50, period: 1s}}
                    - {name: hdr, headers: {request: {X-Env: prod}, response: {X-Frame-Options: DENY}}}
                    - {name: gz, compress: {}}
                  target: {stack: web, service: httpd, port: 8080}
                  healthCheck: {path: /health}
                """));
        assertEquals(List.of(), result.errors());
        RouteSpec spec = result.resources().get(0).spec(RouteSpec.class);
        assertEquals("route/api", result.resources().get(0).key());
        assertEquals("kv", spec.mode());
        assertEquals("(Host(`a.example`) || Host(`b.example`)) && PathPrefix(`/api`)", spec.effectiveRule());
        assertTrue(spec.tlsEnabled());
        assertEquals(7, spec.middlewares().size());
        assertEquals(true, spec.middlewares().get(1).redirectToHttps().permanent());
        assertEquals(1024, spec.middlewares().get(6).compress().minResponseBodyBytes());
        assertEquals("10s", spec.healthCheck().interval());
        assertEquals("3s", spec.healthCheck().timeout());
    }

    @Test
    void ruleForms() {
        assertEquals("Host(`a`)", parser.parse("r.yaml", route("x", "  hosts: [a]\n" + TARGET)).resources().get(0)
                .spec(RouteSpec.class).effectiveRule());
        assertEquals("PathPrefix(`/a`) || PathPrefix(`/b`)", parser.parse("r.yaml", route("x", "  pathPrefixes: [/a, /b]\n" + TARGET))
                .resources().get(0).spec(RouteSpec.class).effectiveRule());
        assertEquals(List.of(), errors(route("x", "  rule: \"Host(`a`) && (Path(`/x`) || !Method(`POST`))\"\n" + TARGET)));
    }

    @Test
    void unbalancedBackticks() {
        assertEquals(List.of("r.yaml:6:9: spec.rule: unbalanced backticks: the string opened at column 6 is never closed"),
                errors(route("x", "  rule: \"Host(`a) \"\n" + TARGET)));
    }

    @Test
    void unknownMatcher() {
        List<String> errors = errors(route("x", "  rule: \"Hots(`a`)\"\n" + TARGET));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("r.yaml:6:9: spec.rule: unknown matcher \"Hots\"; Traefik v3 knows ClientIP, "), errors.get(0));
        assertTrue(errors(route("x", "  rule: \"host(`a`)\"\n" + TARGET)).get(0).contains("(did you mean \"Host\"?)"));
        assertTrue(errors(route("x", "  rule: \"Host(`a`)) \"\n" + TARGET)).get(0).contains("unbalanced parentheses"));
    }

    @Test
    void namesWithAtAreRefused() {
        assertEquals(1, errors(route("a@b", "  hosts: [a]\n" + TARGET)).size());
        assertTrue(errors(route("a@b", "  hosts: [a]\n" + TARGET)).get(0).startsWith("r.yaml:4:9: metadata.name:"));
        List<String> inline = errors(route("x", "  hosts: [a]\n  middlewares: [{name: 'm@file', compress: {}}]\n" + TARGET));
        assertEquals(1, inline.size());
        assertTrue(inline.get(0).startsWith("r.yaml:7:24: spec.middlewares[0].name:"), inline.get(0));
        // A reference may name another provider's middleware: that is what @ is for.
        assertEquals(List.of(), errors(route("x", "  hosts: [a]\n  middlewares: [{ref: 'auth@file'}]\n" + TARGET)));
        assertEquals(1, errors(route("x", "  hosts: [a]\n  middlewares: [{ref: 'a@b@c'}]\n" + TARGET)).size());
    }

    @Test
    void plainPasswordsAreRefused() {
        assertEquals(List.of("r.yaml:7:47: spec.middlewares[0].basicAuth.users[0]: expected user:hash with a bcrypt ($2y$),"
                        + " MD5 ($apr1$) or SHA1 ({SHA}) hash (htpasswd -nbB user password); plain passwords are refused"),
                errors(route("x", "  hosts: [a]\n  middlewares: [{name: u, basicAuth: {users: ['alice:secret']}}]\n" + TARGET)));
    }

    @Test
    void ruleAndHostsTogetherOrNeither() {
        assertEquals(List.of("r.yaml:7:9: spec.rule: give either rule or hosts/pathPrefixes, not both"),
                errors(route("x", "  hosts: [a]\n  rule: \"Host(`a`)\"\n" + TARGET)));
        assertEquals(List.of("r.yaml:6:3: spec: a route needs hosts, pathPrefixes or a rule"), errors(route("x", TARGET)));
    }

    @Test
    void inlineMiddlewareNeedsExactlyOneKind() {
        assertEquals(List.of("r.yaml:7:17: spec.middlewares[0]: an inline middleware has exactly one kind, found stripPrefix, compress"),
                errors(route("x", "  hosts: [a]\n  middlewares: [{name: m, stripPrefix: {prefixes: [/a]}, compress: {}}]\n" + TARGET)));
        assertEquals(1, errors(route("x", "  hosts: [a]\n  middlewares: [{name: m, compress: {}}, {name: m, compress: {}}]\n" + TARGET)).size());
        assertEquals(1, errors(route("x", "  hosts: [a]\n  middlewares: [{ref: x, compress: {}}]\n" + TARGET)).size());
    }

    @Test
    void targetPortAndModeAreChecked() {
        assertEquals(1, errors(route("x", "  hosts: [a]\n  target: {stack: web, service: httpd, port: 0}\n")).size());
        assertEquals(1, errors(route("x", "  hosts: [a]\n  mode: docker\n" + TARGET)).size());
        assertEquals(1, errors(route("x", "  hosts: [a]\n  target: {stack: web, service: httpd}\n")).size());
    }
}
