package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** berth import compose through the real command line; --apply against the real etcd. */
class ImportCommandTest {
    private static final Path FIXTURES = Path.of("..", "crds", "src", "test", "resources", "compose");

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    @Test
    void printsAValidStackAndWarnsOnStderr() {
        CliRun run = CliRun.raw("import", "compose", FIXTURES.resolve("webapp/docker-compose.yml").toString());
        assertEquals(0, run.exit(), run.err());
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("out.yaml", run.out());
        assertTrue(parsed.ok(), parsed.errors().toString());
        assertEquals(List.of("stack/shop"), parsed.resources().stream().map(r -> r.key()).toList());
        assertTrue(run.err().contains("docker-compose.yml:41:7: services.web.deploy.replicas: replicas: 2 with a "
                + "published host port"), run.err());
        assertTrue(run.err().endsWith("1 warning\n"), run.err());
    }

    @Test
    void brokenFileExitsOneWithLineAndColumn() {
        String file = FIXTURES.resolve("broken/docker-compose.yml").toString();
        CliRun run = CliRun.raw("import", "compose", file);
        assertEquals(1, run.exit());
        assertEquals("", run.out());
        assertEquals(file + ":6:4: YAML syntax error: expected <block end>, but found '<block mapping start>'\n"
                + "1 error; nothing was imported\n", run.err());
    }

    @Test
    void missingFileExitsOne() {
        CliRun run = CliRun.raw("import", "compose", "no-such-compose.yml");
        assertEquals(1, run.exit());
        assertEquals("error: no-such-compose.yml: no such file\n", run.err());
    }

    @Test
    void outputFileAndName(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("stack.yaml");
        CliRun run = CliRun.raw("import", "compose", FIXTURES.resolve("webapp/docker-compose.yml").toString(),
                "--name", "Shop_Prod", "-o", out.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains("stack name \"Shop_Prod\" becomes \"shop-prod\""), run.err());
        CliRun validate = CliRun.raw("validate", "-f", out.toString());
        assertEquals(0, validate.exit(), validate.err());
        assertEquals("stack/shop-prod valid\n", validate.out());
    }

    @Test
    void applyWritesStackAndRoutesThenIsUnchanged(@TempDir Path dir) throws Exception {
        Path compose = dir.resolve("compose.yaml");
        Files.writeString(compose, """
                name: blog
                services:
                  app:
                    image: ghcr.io/example/blog:3
                    ports: ["8080:80"]
                    labels:
                      traefik.enable: "true"
                      traefik.http.routers.blog.rule: Host(`blog.example.org`)
                      traefik.http.routers.blog.entrypoints: web
                  db:
                    image: postgres:16
                    volumes: [data:/var/lib/postgresql/data]
                volumes:
                  data:
                """);
        CliRun first = berth("import", "compose", compose.toString(), "--apply");
        assertEquals(0, first.exit(), first.err());
        assertEquals(List.of("route/blog-blog created", "stack/blog created"), first.out().lines().sorted().toList());
        String stored = etcd.kv.get(etcd.prefix + "/v1/stack/blog").orElseThrow().value();
        assertTrue(stored.startsWith("# Imported from compose.yaml by berth import compose."), stored);
        assertTrue(stored.contains("source: blog_data"), stored);

        CliRun again = berth("import", "compose", compose.toString(), "--apply");
        assertEquals(0, again.exit(), again.err());
        assertEquals(List.of("route/blog-blog unchanged", "stack/blog unchanged"), again.out().lines().sorted().toList());
    }

    @Test
    void severalFilesMergedInOrderWithProfiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("compose.yaml"), """
                name: layered
                services:
                  web:
                    image: nginx:1.27
                    environment: {MODE: base}
                """);
        Files.createDirectories(dir.resolve("prod"));
        Files.writeString(dir.resolve("prod/more.yaml"), """
                services:
                  web:
                    image: nginx:1.28
                  debug:
                    image: busybox:1.36
                    profiles: [debug]
                  tools:
                    image: busybox:1.36
                    profiles: [tools]
                """);
        // Never read: -f names the files, so no override file is looked for.
        Files.writeString(dir.resolve("compose.override.yaml"), "services: {web: {image: not-read:1}}\n");
        CliRun run = CliRun.raw("import", "compose", "-f", dir.resolve("compose.yaml").toString(),
                "--file", dir.resolve("prod/more.yaml").toString(), "--profile", "debug");
        assertEquals(0, run.exit(), run.err());
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("out.yaml", run.out());
        assertTrue(parsed.ok(), parsed.errors().toString());
        assertTrue(run.out().contains("image: nginx:1.28"), run.out());
        assertTrue(run.out().contains("MODE: base"), run.out());
        assertTrue(run.out().contains("name: debug"), run.out());
        assertTrue(!run.out().contains("name: tools") && !run.out().contains("not-read"), run.out());
        assertTrue(run.err().contains(dir.resolve("prod/more.yaml") + ":9:5: services.tools: service left out"),
                run.err());
    }

    @Test
    void aFolderIsReadWithItsOverrideFileAndANote(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("docker-compose.yml"), "name: folder\nservices: {web: {image: nginx:1.27}}\n");
        Files.writeString(dir.resolve("docker-compose.override.yml"), "services: {web: {image: nginx:1.28}}\n");
        CliRun run = CliRun.raw("import", "compose", dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("image: nginx:1.28"), run.out());
        assertTrue(run.err().contains(dir.resolve("docker-compose.override.yml") + ":1:1: merged over "
                + dir.resolve("docker-compose.yml")), run.err());
    }

    @Test
    void missingEnvFileExitsOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("compose.yaml"), "services: {web: {image: nginx:1.27}}\n");
        CliRun run = CliRun.raw("import", "compose", dir.resolve("compose.yaml").toString(), "--env-file",
                dir.resolve("nope.env").toString());
        assertEquals(1, run.exit());
        assertEquals("error: " + dir.resolve("nope.env") + ": no such file (--env-file)\n", run.err());
    }

    @Test
    void aFileOfAnotherNameGetsNoOverrideFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("docker-compose.prod.yml"), "name: prod\nservices: {web: {image: nginx:1.27}}\n");
        Files.writeString(dir.resolve("docker-compose.override.yml"), "services: {web: {image: nginx:1.28}}\n");
        CliRun run = CliRun.raw("import", "compose", dir.resolve("docker-compose.prod.yml").toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("image: nginx:1.27"), run.out());
        assertTrue(!run.err().contains("merged over"), run.err());
    }

    @Test
    void composeFileInDotEnvNamesTheFilesOfAFolder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(".env"), "COMPOSE_FILE=a.yml:b.yml\n");
        Files.writeString(dir.resolve("a.yml"), "name: named\nservices: {web: {image: nginx:1.27}}\n");
        Files.writeString(dir.resolve("b.yml"), "services: {web: {image: nginx:1.28}}\n");
        Files.writeString(dir.resolve("compose.yaml"), "services: {web: {image: wrong:1}}\n");
        CliRun run = CliRun.raw("import", "compose", dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("image: nginx:1.28"), run.out());
        assertTrue(run.err().contains("the files COMPOSE_FILE names"), run.err());
    }

    @Test
    void helpShowsVariablesAsWritten() {
        CliRun run = CliRun.raw("import", "compose", "--help");
        assertTrue(run.out().contains(".env and ${VARIABLES}"), run.out());
    }
}
