package dev.berth.crds.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real-world-shaped compose files against the exact Stack (and Routes) and the exact warnings. Expected YAML is
 * compared as canonical JSON after Berth's own parser read it, so the output is also proven valid.
 */
class ComposeImporterTest {
    private static final Map<String, String> ENV = Map.of("ACME_EMAIL", "ops@example.org", "DOMAIN", "example.org");

    @Test
    void webAppWithDatabaseAndCache() throws Exception {
        assertFixture("webapp");
    }

    @Test
    void traefikLabelsBecomeRoutes() throws Exception {
        assertFixture("traefik");
    }

    @Test
    void unsupportedKeysAreWarningsWithTheirLines() throws Exception {
        assertFixture("unsupported");
    }

    @Test
    void swarmDeployModesPlacementAndReservations() throws Exception {
        assertFixture("swarm");
    }

    @Test
    void secretsAndConfigsBecomeObjectsAndReferences() throws Exception {
        assertFixture("secrets", Map.of("SHOP_API_TOKEN", "t0ken"));
    }

    @Test
    void buildsAndPullPoliciesAreKept() throws Exception {
        assertFixture("build", Map.of("GIT_SHA", "0a1b2c3"));
    }

    @Test
    void aRelativeContextIsWrittenRelativeToTheOutputFile() throws Exception {
        Path dir = fixture("build");
        ComposeInput above = new ComposeInput("docker-compose.yml", dir, Files.readString(dir.resolve("docker-compose.yml")),
                Map.of(), null, dir.getParent());
        ComposeImport result = importer().convert(above);
        assertTrue(result.ok(), result.errors().toString());
        var services = valid(result.yaml()).get(0).spec(dev.berth.crds.stack.StackSpec.class).services();
        assertEquals("build/web", services.get(0).build().context());
        assertEquals("build/services/api", services.get(1).build().context());
        assertEquals("/srv/worker", services.get(2).build().context());

        ComposeInput below = new ComposeInput("docker-compose.yml", dir, Files.readString(dir.resolve("docker-compose.yml")),
                Map.of(), null, dir.resolve("deploy"));
        // Written below the compose file: the context climbs ("../web"), as it may; the operator refuses one that
        // leaves the GitSource's checkout when it builds.
        ComposeImport climbing = importer().convert(below);
        assertTrue(climbing.ok(), climbing.errors().toString());
        assertEquals("../web", valid(climbing.yaml()).get(0).spec(dev.berth.crds.stack.StackSpec.class).services().get(0)
                .build().context());
    }

    @Test
    void aRemoteContextAnInlineDockerfileOrABadImageIsAnError() throws Exception {
        ComposeImport result = importer().convert(new ComposeInput("c.yml", fixture("build"), """
                services:
                  a:
                    build: https://github.com/example/app.git#main
                  b:
                    build:
                      context: .
                      dockerfile_inline: FROM busybox
                  c:
                    image: Shop/Web:1
                """, Map.of(), "x"));
        assertEquals(List.of(
                "c.yml:3:12: services.a.build: a remote build context (https://github.com/example/app.git#main) is not "
                        + "supported; put the Dockerfile's folder in the GitSource's repository, or in a folder on the hosts",
                "c.yml:7:7: services.b.build.dockerfile_inline: dockerfile_inline is not supported; write the "
                        + "Dockerfile into the build context and name it with dockerfile",
                "c.yml:9:12: services.c.image: \"Shop/Web:1\": \"Shop\" is not a valid repository name component; "
                        + "repository names are lowercase: shop"),
                result.errors().stream().map(Object::toString).toList());
    }

    @Test
    void withoutRouteKindTraefikLabelsStayAsLabelsWithAWarning() throws Exception {
        Path dir = fixture("traefik");
        ComposeImport result = new ComposeImporter(new ComposeOptions(false)).convert(input(dir, ENV));
        assertTrue(result.ok(), result.errors().toString());
        List<Resource> resources = valid(result.yaml());
        assertEquals(1, resources.size());
        var whoami = resources.get(0).spec(dev.berth.crds.stack.StackSpec.class).services().get(1);
        assertEquals("Host(`whoami.example.org`)", whoami.labels().get("traefik.http.routers.whoami.rule"));
        assertEquals("admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/",
                whoami.labels().get("traefik.http.middlewares.whoami-auth.basicauth.users"));
        assertEquals(List.of(
                "docker-compose.yml:2:1: services: 2 services have no restart: whoami, api; imported as restart: \"no\", "
                        + "Compose's default: they are not restarted when they exit; add restart: unless-stopped to keep a "
                        + "long-running one up",
                "docker-compose.yml:23:9: services.whoami.labels[0]: Traefik labels kept as container labels: this Berth has no Route kind to turn them into",
                "docker-compose.yml:44:7: services.api.labels.traefik.enable: Traefik labels kept as container labels: this Berth has no Route kind to turn them into"),
                result.warnings().stream().map(Object::toString).toList());
    }

    @Test
    void brokenYamlIsAnErrorWithLineAndColumn() throws Exception {
        ComposeImport result = importer().convert(input(fixture("broken"), ENV));
        assertFalse(result.ok());
        assertEquals("", result.yaml());
        assertEquals(List.of("docker-compose.yml:6:4: YAML syntax error: expected <block end>, but found '<block mapping start>'"),
                result.errors().stream().map(Object::toString).toList());
    }

    @Test
    void requiredVariableIsAnErrorAtItsValue() throws Exception {
        ComposeImport result = importer().convert(input(fixture("traefik"), Map.of("DOMAIN", "example.org")));
        assertEquals(List.of("docker-compose.yml:10:9: services.traefik.command[4]: required variable ACME_EMAIL is "
                + "missing a value: set ACME_EMAIL to your e-mail address"), result.errors().stream().map(Object::toString).toList());
    }

    private static void assertFixture(String name) throws Exception {
        assertFixture(name, ENV);
    }

    private static void assertFixture(String name, Map<String, String> env) throws Exception {
        Path dir = fixture(name);
        ComposeImport result = importer().convert(input(dir, env));
        assertTrue(result.ok(), result.errors().toString());
        String expected = Files.readString(dir.resolve("expected.yaml")).replace("@DIR@", dir.toString());
        assertEquals(canonical(valid(expected)), canonical(valid(result.yaml())), result.yaml());
        assertEquals(Files.readString(dir.resolve("expected-warnings.txt")).lines().toList(),
                result.warnings().stream().map(Object::toString).toList());
    }

    static ComposeImporter importer() {
        return new ComposeImporter(new ComposeOptions(true));
    }

    static ComposeInput input(Path dir, Map<String, String> env) throws Exception {
        return new ComposeInput("docker-compose.yml", dir, Files.readString(dir.resolve("docker-compose.yml")), env, null);
    }

    static List<Resource> valid(String yaml) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("imported.yaml", yaml);
        assertTrue(parsed.ok(), parsed.errors() + "\n" + yaml);
        return parsed.resources();
    }

    private static List<String> canonical(List<Resource> resources) {
        return resources.stream().map(Resource::canonicalJson).toList();
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ComposeImporterTest.class.getResource("/compose/" + name + "/docker-compose.yml").toURI()).getParent();
    }
}
