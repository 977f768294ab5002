package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.secrets.SecretKeyring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a Secret's plain value could leave berth's hands: diff -f, import compose -o; and the creation time that
 * gives get its AGE. Against the real etcd.
 */
class SecretOutputsTest {
    private static final String PASSWORD = "hunter2-Pl41nT3xt";

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @TempDir
    Path dir;

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static String secret(String name, String password) {
        return """
                apiVersion: berth.dev/v1
                kind: Secret
                metadata:
                  name: %s
                spec:
                  stringData:
                    password: %s
                    user: admin
                """.formatted(name, password);
    }

    private String stored(String kind, String name) {
        return etcd.kv.get(etcd.prefix + "/v1/" + kind + "/" + name).orElseThrow().value();
    }

    private static void assertNoValue(String text) {
        assertFalse(text.contains(PASSWORD), "a plain value was printed:\n" + text);
    }

    @Test
    void diffOfASecretNamesKeysAndNeverPrintsValues() throws Exception {
        Path key = write("cluster.key", SecretKeyring.newKeyLine());
        Path db = write("db.yaml", secret("db", PASSWORD));

        CliRun created = berth("diff", "-f", db.toString(), "--secret-key-file", key.toString());
        assertEquals(1, created.exit(), created.err());
        assertEquals("secret/db created\n", created.out());
        assertNoValue(created.out() + created.err());

        assertEquals(0, berth("apply", "-f", db.toString(), "--secret-key-file", key.toString()).exit());
        CliRun same = berth("diff", "-f", db.toString(), "--secret-key-file", key.toString());
        assertEquals("secret/db unchanged\n", same.out(), same.err());
        assertEquals(0, same.exit());

        Path changed = write("db2.yaml", secret("db", "new-" + PASSWORD) + "    extra: x\n");
        CliRun diff = berth("diff", "-f", changed.toString(), "--secret-key-file", key.toString());
        assertEquals(1, diff.exit(), diff.err());
        assertEquals("secret/db changed: keys extra, password\n", diff.out());
        assertNoValue(diff.out() + diff.err());

        CliRun noKey = berth("diff", "-f", db.toString());
        assertEquals(1, noKey.exit(), noKey.err());
        assertEquals("secret/db changed: cannot compare Secret values without --secret-key-file\n", noKey.out());
        assertNoValue(noKey.out() + noKey.err());

        // The stored, encrypted form against itself compares without a key.
        Path storedForm = write("stored.yaml", stored("secret", "db"));
        assertEquals("secret/db unchanged\n", berth("diff", "-f", storedForm.toString()).out());
    }

    @Test
    void importToAFileHoldingSecretsIsOwnerOnlyAndSealedWithAKey() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        write("secrets/db_password.txt", PASSWORD + "\n");
        Path compose = write("compose.yaml", """
                name: shop
                services:
                  web:
                    image: ghcr.io/example/shop:1
                    secrets: [db_password]
                secrets:
                  db_password:
                    file: ./secrets/db_password.txt
                """);
        Path plain = dir.resolve("plain.yaml");
        Files.writeString(plain, "old\n");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
        CliRun run = berth("import", "compose", compose.toString(), "-o", plain.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)));
        assertTrue(Files.readString(plain).contains("stringData"), "without a key the values stay plain");
        assertTrue(run.err().contains("give --secret-key-file FILE"), run.err());
        Path fresh = dir.resolve("fresh.yaml");
        assertEquals(0, berth("import", "compose", compose.toString(), "-o", fresh.toString()).exit());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));

        Path key = write("cluster.key", SecretKeyring.newKeyLine());
        Path sealed = dir.resolve("sealed.yaml");
        CliRun withKey = berth("import", "compose", compose.toString(), "-o", sealed.toString(),
                "--secret-key-file", key.toString());
        assertEquals(0, withKey.exit(), withKey.err());
        String yaml = Files.readString(sealed);
        assertNoValue(yaml + withKey.out() + withKey.err());
        assertFalse(yaml.contains("stringData"), yaml);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sealed)));
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("sealed.yaml", yaml);
        assertTrue(parsed.ok(), parsed.errors() + "\n" + yaml);
        assertEquals(List.of("secret/shop-db-password", "stack/shop"), parsed.resources().stream().map(r -> r.key()).sorted().toList());
        SecretSpec spec = parsed.resources().stream().filter(r -> r.key().startsWith("secret/")).findFirst().orElseThrow()
                .spec(SecretSpec.class);
        String envelope = spec.encryptedData().values().iterator().next();
        String name = parsed.resources().stream().filter(r -> r.key().startsWith("secret/")).findFirst().orElseThrow()
                .metadata().name();
        assertEquals(PASSWORD + "\n", new String(SecretKeyring.load(key).decrypt(name,
                spec.encryptedData().keySet().iterator().next(), envelope), StandardCharsets.UTF_8));

        // A compose file without secrets writes with the umask's mode as before.
        Path noSecrets = write("nosecrets.yaml", "name: x\nservices:\n  web:\n    image: busybox:1\n");
        Path out = dir.resolve("x.yaml");
        assertEquals(0, berth("import", "compose", noSecrets.toString(), "-o", out.toString()).exit());
        assertTrue(Files.getPosixFilePermissions(out).contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ));
    }

    @Test
    void createAndApplyRecordACreationTimeThatGetShowsAsAge() throws Exception {
        Path key = write("cluster.key", SecretKeyring.newKeyLine());
        CliRun create = berth("create", "secret", "made", "--from-literal", "password=" + PASSWORD,
                "--secret-key-file", key.toString());
        assertEquals(0, create.exit(), create.err());
        assertEquals(0, berth("create", "config", "conf", "--from-literal", "a=b").exit());
        String createdAt = annotation(stored("secret", "made"));

        CliRun secrets = berth("get", "secrets");
        assertTrue(secrets.out().lines().skip(1).findFirst().orElseThrow().matches("made\\s+Opaque\\s+password\\s+\\S+\\s+1\\s+\\d+s"),
                secrets.out());
        CliRun configs = berth("get", "configs");
        assertTrue(configs.out().lines().skip(1).findFirst().orElseThrow().matches("conf\\s+a\\s+\\S+\\s+1\\s+\\d+s"),
                configs.out());

        // apply of a new Secret and Config records one; applying the same manifests again is unchanged
        Path db = write("db.yaml", secret("db", PASSWORD) + """
                ---
                apiVersion: berth.dev/v1
                kind: Config
                metadata:
                  name: settings
                spec:
                  data:
                    app.conf: "level = debug\\n"
                """);
        assertEquals(List.of("config/settings created", "secret/db created"),
                berth("apply", "-f", db.toString(), "--secret-key-file", key.toString()).out().lines().sorted().toList());
        String dbCreated = annotation(stored("secret", "db"));
        String settingsCreated = annotation(stored("config", "settings"));
        CliRun again = berth("apply", "-f", db.toString(), "--secret-key-file", key.toString());
        assertEquals(List.of("config/settings unchanged", "secret/db unchanged"), again.out().lines().sorted().toList(),
                again.err());
        CliRun diff = berth("diff", "-f", db.toString(), "--secret-key-file", key.toString());
        assertEquals(List.of("config/settings unchanged", "secret/db unchanged"), diff.out().lines().sorted().toList(),
                diff.err());

        // a changed value is "configured" and keeps the creation time; so does reencrypt
        assertEquals("secret/db configured\n", berth("apply", "-f", write("db3.yaml", secret("db", "other")).toString(),
                "--secret-key-file", key.toString()).out());
        assertEquals(dbCreated, annotation(stored("secret", "db")));
        assertEquals(settingsCreated, annotation(stored("config", "settings")));
        CliRun reencrypt = berth("secrets", "reencrypt", "--secret-key-file", key.toString());
        assertEquals(0, reencrypt.exit(), reencrypt.err());
        assertEquals(createdAt, annotation(stored("secret", "made")));

        // a Secret written without one (as a GitSource may) shows AGE -
        etcd.kv.put(etcd.prefix + "/v1/secret/bare", stored("secret", "made")
                .replaceAll("  annotations:\n    berth.dev/created-at: \"?[-0-9T:Z]+\"?\n", "").replace("name: made", "name: bare"));
        assertTrue(berth("get", "secrets").out().lines().anyMatch(l -> l.matches("bare\\s+.*\\s+-")),
                berth("get", "secrets").out());
    }

    private static String annotation(String yaml) {
        var m = java.util.regex.Pattern.compile("berth.dev/created-at: \"?([-0-9T:Z]+)\"?").matcher(yaml);
        assertTrue(m.find(), "no berth.dev/created-at in\n" + yaml);
        assertTrue(java.time.Instant.parse(m.group(1)).isAfter(java.time.Instant.now().minusSeconds(600)), m.group(1));
        return m.group(1);
    }
}
