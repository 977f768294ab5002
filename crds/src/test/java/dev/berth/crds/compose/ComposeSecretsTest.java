package dev.berth.crds.compose;

import dev.berth.crds.Resource;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.crds.stack.FileReference;
import dev.berth.crds.stack.StackSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compose secrets and configs, one rule at a time: each bad input is an error at its place, nothing is written. */
class ComposeSecretsTest {
    @TempDir
    Path dir;

    private ComposeImport convert(String compose, Map<String, String> env) {
        return ComposeImporterTest.importer().convert(new ComposeInput("docker-compose.yml", dir, compose, env, "app"));
    }

    private static List<String> errors(ComposeImport result) {
        assertFalse(result.ok());
        assertEquals("", result.yaml(), "no output with errors");
        return result.errors().stream().map(Object::toString).toList();
    }

    private static List<FileReference> secretsOf(ComposeImport result) {
        assertTrue(result.ok(), result.errors().toString());
        List<Resource> resources = ComposeImporterTest.valid(result.yaml());
        Resource stack = resources.stream().filter(r -> r.kind().kind().equals("Stack")).findFirst().orElseThrow();
        return stack.spec(StackSpec.class).services().get(0).secrets();
    }

    @Test
    void aMissingSecretFileIsAnErrorNamingIt() {
        ComposeImport result = convert("""
                services:
                  web:
                    image: nginx
                    secrets: [db_password]
                secrets:
                  db_password:
                    file: ./db_password.txt
                """, Map.of());
        assertEquals(List.of("docker-compose.yml:7:11: secrets.db_password.file: secret file ./db_password.txt not found ("
                + dir.resolve("db_password.txt") + ")"), errors(result));
    }

    @Test
    void anEnvironmentSourceReadsTheImportsVariablesAndAnUnsetOneIsAnError() {
        String compose = """
                services:
                  web:
                    image: nginx
                    secrets: [token]
                secrets:
                  token:
                    environment: API_TOKEN
                """;
        assertEquals(List.of("docker-compose.yml:7:18: secrets.token.environment: variable API_TOKEN is not set (in "
                + "the environment or .env), so the Secret has no value"), errors(convert(compose, Map.of())));
        ComposeImport result = convert(compose, Map.of("API_TOKEN", "s3cret"));
        // Berth's default would be /run/secrets/app-token (the object's name): Compose's place is written out.
        assertEquals(List.of(new FileReference("app-token", null, "/run/secrets/token", null, null, null)),
                secretsOf(result));
    }

    @Test
    void anExternalSecretIsAWarningAndItsReferenceIsKept() {
        ComposeImport result = convert("""
                services:
                  web:
                    image: nginx
                    secrets:
                      - source: db
                        target: password
                secrets:
                  db:
                    external: true
                """, Map.of());
        assertEquals(List.of(new FileReference("db", null, "/run/secrets/password", null, null, null)), secretsOf(result));
        assertEquals(List.of("docker-compose.yml:8:3: secrets.db: external: a Secret named \"db\" must exist before the "
                        + "stack starts (berth create secret db --from-file <key>=<file>); not imported"),
                result.warnings().stream().filter(w -> !w.path().equals("services")).map(Object::toString).toList());
        assertEquals(1, ComposeImporterTest.valid(result.yaml()).size(), "only the Stack");
    }

    @Test
    void modesAreComposeNumbersWrittenAsOctalText() throws Exception {
        Files.writeString(dir.resolve("pw"), "x");
        ComposeImport result = convert("""
                services:
                  web:
                    image: nginx
                    secrets:
                      - {source: pw, target: /a, mode: 0440}
                      - {source: pw, target: /b, mode: 0o400}
                      - {source: pw, target: /c, mode: "600"}
                      - {source: pw, target: /d, mode: 0010}
                      - {source: pw, target: /e, mode: 288, uid: "1000", gid: 1000}
                      - {source: pw, target: /f, mode: 444}
                      - {source: pw, target: /g, mode: 0100}
                secrets:
                  pw: {file: pw}
                """, Map.of());
        assertEquals(List.of("0440", "0400", "0600", "0010", "0440", "0674", "0100"),
                secretsOf(result).stream().map(FileReference::mode).toList());
        assertEquals(1000, secretsOf(result).get(4).uid());
        assertEquals(1000, secretsOf(result).get(4).gid());
        assertTrue(result.warnings().stream().map(Object::toString).toList().contains("docker-compose.yml:10:40: "
                + "services.web.secrets[5].mode: Compose reads 444 as a decimal number, which is mode 0674; write 0444 "
                + "for the octal mode"), result.warnings().toString());
        assertEquals(1, result.warnings().stream().filter(w -> w.message().contains("decimal")).count(),
                "0010, 0100, 0o400 and 288 are read without a warning: " + result.warnings());
    }

    @Test
    void badReferencesAreErrorsAtTheirPlace() throws Exception {
        Files.writeString(dir.resolve("pw"), "x");
        ComposeImport result = convert("""
                services:
                  web:
                    image: nginx
                    volumes:
                      - data:/data
                    secrets:
                      - nope
                      - {source: pw, target: /m, mode: 01777}
                      - {source: pw, target: /u, uid: root}
                      - {source: pw, target: ../etc/shadow}
                      - {target: /x}
                      - {source: pw, target: /data/pw}
                      - pw
                    configs:
                      - {source: conf, target: /data}
                      - {source: conf, target: /run/secrets/pw}
                volumes:
                  data: {}
                secrets:
                  pw: {file: pw}
                configs:
                  conf: {content: "a = 1"}
                """, Map.of());
        assertEquals(List.of(
                "docker-compose.yml:7:9: services.web.secrets[0]: secret \"nope\" is not declared under the top-level secrets",
                "docker-compose.yml:8:40: services.web.secrets[1].mode: mode \"01777\" is not a file mode from 0000 to 0777 (write it in octal, like 0440)",
                "docker-compose.yml:9:39: services.web.secrets[2].uid: expected a whole number from 0 to 2147483647, got \"root\"",
                "docker-compose.yml:10:30: services.web.secrets[3].target: \"/run/secrets/../etc/shadow\" has a \"..\" segment; write the path it means",
                "docker-compose.yml:11:9: services.web.secrets[4]: needs a source: the name of a top-level secret",
                "docker-compose.yml:12:30: services.web.secrets[5].target: secret target /data/pw is inside the volume at /data; Berth mounts a secret or config file only where no other mount is",
                "docker-compose.yml:15:32: services.web.configs[0].target: config target /data is also the target of the volume at /data; Berth mounts a secret or config file only where no other mount is",
                "docker-compose.yml:16:32: services.web.configs[1].target: config target /run/secrets/pw is also the target of the secret at /run/secrets/pw (services.web.secrets[6]); Berth mounts a secret or config file only where no other mount is"),
                errors(result));
    }

    @Test
    void configsFromContentAndFilesWithComposeTargets() throws Exception {
        Files.writeString(dir.resolve("nginx.conf"), "server {}\n");
        ComposeImport result = convert("""
                services:
                  web:
                    image: nginx
                    configs:
                      - nginx
                      - {source: settings, target: etc/app.ini}
                configs:
                  nginx: {file: ./nginx.conf}
                  settings:
                    content: |
                      debug = ${DEBUG:-false}
                """, Map.of());
        assertTrue(result.ok(), result.errors().toString());
        List<Resource> resources = ComposeImporterTest.valid(result.yaml());
        assertEquals(List.of("Config/app-nginx", "Config/app-settings", "Stack/app"),
                resources.stream().map(r -> r.kind().kind() + "/" + r.metadata().name()).toList());
        assertEquals(Map.of("nginx", "server {}\n"),
                resources.get(0).spec(dev.berth.crds.secret.ConfigSpec.class).data());
        assertEquals(Map.of("settings", "debug = false\n"),
                resources.get(1).spec(dev.berth.crds.secret.ConfigSpec.class).data());
        var configs = resources.get(2).spec(StackSpec.class).services().get(0).configs();
        assertEquals(List.of("/nginx", "/etc/app.ini"), configs.stream().map(c -> c.effectiveTarget(false)).toList());
    }

    @Test
    void aSecretFileIsReadRelativeToTheComposeFileAndMountedWhereComposeMountsIt() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/db.txt"), "hunter2");
        ComposeImport result = convert("""
                services:
                  web:
                    image: nginx
                    secrets: [db_password]
                secrets:
                  db_password: {file: secrets/db.txt}
                """, Map.of());
        List<FileReference> secrets = secretsOf(result);
        assertEquals("/run/secrets/db_password", secrets.get(0).effectiveTarget(true));
        Resource secret = ComposeImporterTest.valid(result.yaml()).get(0);
        assertEquals("app-db-password", secret.metadata().name());
        assertEquals(Map.of("db_password", "hunter2"), secret.spec(SecretSpec.class).stringData());
    }
}
