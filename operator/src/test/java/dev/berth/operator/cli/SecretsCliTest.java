package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.secret.ConfigSpec;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.ByteSequence;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** berth create secret|config, apply of Secrets, get/describe, secrets reencrypt and new-key, against the real etcd. */
class SecretsCliTest {
    private static final String PASSWORD = "hunter2-Pl41nT3xt";
    private static final String FILE_VALUE = "-----BEGIN FAKE KEY-----\nc2VjcmV0LWZpbGUtY29udGVudA\n-----END FAKE KEY-----\n";

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @TempDir
    Path dir;

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    private Path keyFile(String name, String... lines) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private String stored(String kind, String name) {
        return etcd.kv.get(etcd.prefix + "/v1/" + kind + "/" + name).orElseThrow().value();
    }

    private SecretSpec storedSecret(String name) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("etcd", stored("secret", name).getBytes(StandardCharsets.UTF_8));
        assertTrue(parsed.ok(), parsed.errors().toString());
        return parsed.resources().get(0).spec(SecretSpec.class);
    }

    /** The raw bytes of the key as etcd holds them, through the client and through etcdctl. */
    private String rawBytes(String kind, String name) throws Exception {
        String key = etcd.prefix + "/v1/" + kind + "/" + name;
        byte[] viaClient = etcd.client.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS).getKvs().get(0).getValue().getBytes();
        ProcessBuilder builder = new ProcessBuilder("etcdctl", "--endpoints=" + etcd.settings.describeEndpoints(), "get", key,
                "--print-value-only").redirectErrorStream(true);
        builder.environment().remove("ETCDCTL_ENDPOINTS"); // etcdctl refuses the flag and the variable together
        Process etcdctl = builder.start();
        String viaEtcdctl = new String(etcdctl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(etcdctl.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, etcdctl.exitValue(), viaEtcdctl);
        return new String(viaClient, StandardCharsets.ISO_8859_1) + "\n" + viaEtcdctl;
    }

    private static CliRun withStdin(String text, java.util.function.Supplier<CliRun> run) {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(old);
        }
    }

    private static void assertNoValue(String text) {
        assertFalse(text.contains(PASSWORD), "a plain value was printed or stored:\n" + text);
        assertFalse(text.contains("c2VjcmV0LWZpbGUtY29udGVudA"), "a plain file value was printed or stored:\n" + text);
    }

    @Test
    void createStoresCiphertextOnlyAndGetDescribeNeverPrintValues() throws Exception {
        Path key = keyFile("cluster.key", SecretKeyring.newKeyLine());
        Path pem = dir.resolve("tls.key");
        Files.writeString(pem, FILE_VALUE);
        CliRun create = berth("create", "secret", "db", "--from-literal", "password=" + PASSWORD, "--from-file",
                pem.toString(), "--from-file", "cert=" + pem, "--secret-key-file", key.toString());
        assertEquals(0, create.exit(), create.err());
        assertEquals("secret/db created\n", create.out());

        String raw = rawBytes("secret", "db");
        assertNoValue(raw);
        assertTrue(raw.contains("encryptedData"), raw);
        assertFalse(raw.contains("stringData"), raw);
        assertEquals(6, raw.split("berth:v1:", -1).length - 1, "three envelopes, seen by the client and by etcdctl\n" + raw);

        // The envelopes are the values, bound to this secret and key, under the file's key.
        SecretKeyring keyring = SecretKeyring.load(key);
        SecretSpec spec = storedSecret("db");
        assertEquals(java.util.Set.of("password", "tls.key", "cert"), spec.encryptedData().keySet());
        assertEquals(PASSWORD, new String(keyring.decrypt("db", "password", spec.encryptedData().get("password")), StandardCharsets.UTF_8));
        assertEquals(FILE_VALUE, new String(keyring.decrypt("db", "tls.key", spec.encryptedData().get("tls.key")), StandardCharsets.UTF_8));

        CliRun get = berth("get", "secrets");
        assertEquals(0, get.exit(), get.err());
        assertNoValue(get.out());
        var lines = get.out().lines().toList();
        assertEquals(java.util.List.of("NAME", "TYPE", "KEYS", "SIZE", "VERSION", "AGE"), java.util.List.of(lines.get(0).split("\\s+")));
        long size = PASSWORD.length() + 2L * FILE_VALUE.length();
        assertEquals(java.util.List.of("db", "Opaque", "cert,password,tls.key", size + "B", "1"),
                java.util.List.of(lines.get(1).split("\\s+")).subList(0, 5), get.out());
        assertTrue(lines.get(1).matches(".*\\s\\d+s"), "AGE from berth.dev/created-at: " + get.out());

        for (String format : new String[] {"yaml", "json"}) {
            CliRun out = berth("get", "secret", "db", "-o", format);
            assertEquals(0, out.exit(), out.err());
            assertNoValue(out.out());
            assertTrue(out.out().contains("berth:v1:" + keyring.newestKeyId() + ":"), out.out());
        }

        assertEquals(0, berth("apply", "-f", write("app.yaml", StackYaml.stack("app")
                .with("secrets: [{source: db, key: password, target: /run/secrets/db, mode: \"0400\"}]")
                .with("secretEnv: [{name: DB_PASSWORD, secretKeyRef: {name: db, key: password}}]").yaml()).toString()).exit());
        CliRun describe = berth("describe", "secret", "db");
        assertEquals(0, describe.exit(), describe.err());
        assertNoValue(describe.out());
        assertTrue(describe.out().contains("Version:     1"), describe.out());
        assertTrue(describe.out().lines().anyMatch(l -> l.matches("\\s+password\\s+" + PASSWORD.length() + "B\\s+"
                + keyring.newestKeyId())), describe.out());
        assertTrue(describe.out().contains("stack/app: service web: file /run/secrets/db (key password), env DB_PASSWORD (key password)"),
                describe.out());

        // Created once only, like kubectl; the error says how to replace it.
        CliRun again = berth("create", "secret", "db", "--from-literal", "password=other", "--secret-key-file", key.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("secret/db already exists"), again.err());
        assertTrue(again.err().contains("--dry-run -o yaml | berth apply -f -"), again.err());
        assertEquals(spec, storedSecret("db"), "the existing Secret is untouched");
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void dryRunPrintsTheEncryptedManifestWhichApplyTakesFromStdin() throws Exception {
        Path key = keyFile("cluster.key", SecretKeyring.newKeyLine());
        CliRun dry = berth("create", "secret", "db", "--from-literal", "password=" + PASSWORD, "--dry-run", "-o", "yaml",
                "--secret-key-file", key.toString());
        assertEquals(0, dry.exit(), dry.err());
        assertNoValue(dry.out());
        assertTrue(dry.out().startsWith("apiVersion: berth.dev/v1\nkind: Secret\n"), dry.out());
        assertTrue(etcd.snapshot().isEmpty(), "a dry run writes nothing");

        CliRun applied = withStdin(dry.out(), () -> berth("apply", "-f", "-", "--secret-key-file", key.toString()));
        assertEquals(0, applied.exit(), applied.err());
        assertEquals("secret/db created\n", applied.out());
        // Stored as given, plus the creation time apply adds to a new Secret.
        assertEquals(dry.out(), stored("secret", "db").replaceAll("  annotations:\n    berth.dev/created-at: \"?[-0-9T:Z]+\"?\n", ""));

        // The same values again, sealed with new nonces: unchanged, because the decrypted content is the same.
        CliRun sameValues = berth("create", "secret", "db", "--from-literal", "password=" + PASSWORD, "--dry-run", "-o", "yaml",
                "--secret-key-file", key.toString());
        assertFalse(sameValues.out().equals(dry.out()), "fresh nonces");
        long revision = etcd.kv.get(etcd.prefix + "/v1/secret/db").orElseThrow().modRevision();
        CliRun unchanged = withStdin(sameValues.out(), () -> berth("apply", "-f", "-", "--secret-key-file", key.toString()));
        assertEquals("secret/db unchanged\n", unchanged.out(), unchanged.err());
        assertEquals(revision, etcd.kv.get(etcd.prefix + "/v1/secret/db").orElseThrow().modRevision());

        // Without a key the ciphertext is all there is to compare: new ciphertext is a change.
        CliRun noKey = withStdin(sameValues.out(), () -> berth("apply", "-f", "-"));
        assertEquals("secret/db configured\n", noKey.out(), noKey.err());

        CliRun changed = berth("create", "secret", "db", "--from-literal", "password=new-" + PASSWORD, "--dry-run", "-o", "json",
                "--secret-key-file", key.toString());
        assertEquals(0, changed.exit(), changed.err());
        assertTrue(changed.out().startsWith("{"), changed.out());
        CliRun configured = withStdin(changed.out(), () -> berth("apply", "-f", "-", "--secret-key-file", key.toString()));
        assertEquals("secret/db configured\n", configured.out(), configured.err());
        assertEquals(3, etcd.kv.get(etcd.prefix + "/v1/secret/db").orElseThrow().version());
        assertTrue(berth("get", "secrets").out().lines().skip(1).findFirst().orElseThrow().matches("db\\s+Opaque\\s+password\\s+"
                + ("new-" + PASSWORD).length() + "B\\s+3\\s+\\d+s"));
    }

    @Test
    void applyEncryptsStringDataAndWithoutAKeyWritesNothing() throws Exception {
        Path key = keyFile("cluster.key", SecretKeyring.newKeyLine());
        Path manifest = write("all.yaml", """
                apiVersion: berth.dev/v1
                kind: Config
                metadata:
                  name: settings
                spec:
                  data:
                    app.conf: "level = debug\\n"
                ---
                # the password is %s
                apiVersion: berth.dev/v1
                kind: Secret
                metadata:
                  name: db
                  labels: {team: a}
                spec:
                  stringData:
                    password: %s
                """.formatted(PASSWORD, PASSWORD));

        CliRun refused = berth("apply", "-f", manifest.toString());
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.err().contains(manifest + ":17:5: spec.stringData: secret/db has plain values"), refused.err());
        assertTrue(refused.err().contains("--secret-key-file FILE or set BERTH_SECRET_KEY_FILE"), refused.err());
        assertNoValue(refused.err() + refused.out());
        assertTrue(etcd.snapshot().isEmpty(), "nothing of the file was written, not even the Config: " + etcd.snapshot());

        CliRun dry = berth("apply", "-f", manifest.toString(), "--dry-run", "--secret-key-file", key.toString());
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(etcd.snapshot().isEmpty());

        CliRun applied = berth("apply", "-f", manifest.toString(), "--secret-key-file", key.toString());
        assertEquals(0, applied.exit(), applied.err());
        assertEquals(java.util.List.of("config/settings created", "secret/db created"), applied.out().lines().sorted().toList());
        assertNoValue(applied.out() + applied.err());
        String raw = rawBytes("secret", "db");
        assertNoValue(raw);
        assertFalse(raw.contains("stringData"), raw);
        SecretSpec spec = storedSecret("db");
        assertEquals(PASSWORD, new String(SecretKeyring.load(key).decrypt("db", "password", spec.encryptedData().get("password")),
                StandardCharsets.UTF_8));
        assertTrue(stored("secret", "db").contains("team: a"), "labels kept");

        // The same plain values again: unchanged (no roll), though they are encrypted anew.
        CliRun again = berth("apply", "-f", manifest.toString(), "--secret-key-file", key.toString());
        assertEquals(java.util.List.of("config/settings unchanged", "secret/db unchanged"), again.out().lines().sorted().toList());
    }

    @Test
    void aManifestForAnotherNameOrKeyIsRefusedWithItsPosition() throws Exception {
        Path key = keyFile("cluster.key", SecretKeyring.newKeyLine());
        Path other = keyFile("other.key", SecretKeyring.newKeyLine());
        String yaml = berth("create", "secret", "db", "--from-literal", "password=" + PASSWORD, "--dry-run",
                "--secret-key-file", key.toString()).out();

        Path foreign = write("foreign.yaml", yaml);
        CliRun wrongKey = berth("apply", "-f", foreign.toString(), "--secret-key-file", other.toString());
        assertEquals(1, wrongKey.exit());
        assertTrue(wrongKey.err().contains(foreign + ":8:15: spec.encryptedData.password: secret/db key \"password\" was"
                + " encrypted with key " + SecretKeyring.load(key).newestKeyId() + ", which is not in the secret key file"),
                wrongKey.err());
        assertTrue(etcd.snapshot().isEmpty());

        Path renamed = write("renamed.yaml", yaml.replace("name: db", "name: db2"));
        CliRun wrongName = berth("apply", "-f", renamed.toString(), "--secret-key-file", key.toString());
        assertEquals(1, wrongName.exit());
        assertTrue(wrongName.err().contains(renamed + ":8:15: spec.encryptedData.password: secret/db2 key \"password\" does"
                + " not decrypt"), wrongName.err());
        assertNoValue(wrongName.err());
        assertTrue(etcd.snapshot().isEmpty());

        // Without a key there is nothing to check with: the envelopes are stored as they are.
        assertEquals(0, berth("apply", "-f", foreign.toString()).exit());
    }

    @Test
    void aPlainValueInEncryptedDataIsRefusedWithoutEchoingIt() throws Exception {
        Path file = write("mistake.yaml", """
                apiVersion: berth.dev/v1
                kind: Secret
                metadata: {name: db}
                spec:
                  encryptedData:
                    password: %s
                """.formatted(PASSWORD));
        for (CliRun run : new CliRun[] {berth("apply", "-f", file.toString()), CliRun.raw("validate", "-f", file.toString())}) {
            assertEquals(1, run.exit(), run.out());
            assertTrue(run.err().contains(file + ":6:15: spec.encryptedData.password: the value does not match the pattern"),
                    run.err());
            assertNoValue(run.err() + run.out());
        }
        assertTrue(etcd.snapshot().isEmpty());
    }

    @Test
    void aSecretWrittenAroundBerthWithPlainValuesIsNeverPrinted() throws Exception {
        etcd.kv.put(etcd.prefix + "/v1/secret/raw", """
                apiVersion: berth.dev/v1
                kind: Secret
                metadata: {name: raw}
                spec:
                  stringData: {password: %s}
                """.formatted(PASSWORD));
        etcd.kv.put(etcd.prefix + "/v1/secret/broken", "spec: {encryptedData: {password: " + PASSWORD + "}}\n");
        for (String format : new String[] {"yaml", "json"}) {
            CliRun get = berth("get", "secrets", "-o", format);
            assertEquals(0, get.exit(), get.err());
            assertNoValue(get.out() + get.err());
            assertTrue(get.err().contains("secret/raw is not shown"), get.err());
            assertTrue(get.err().contains("secret/broken is not shown"), get.err());
        }
        CliRun table = berth("get", "secrets");
        assertNoValue(table.out() + table.err());
        CliRun describe = berth("describe", "secret", "raw");
        assertNoValue(describe.out() + describe.err());
        assertTrue(describe.out().contains("holds plain stringData"), describe.out());
        Path key = keyFile("cluster.key", SecretKeyring.newKeyLine());
        CliRun reencrypt = berth("secrets", "reencrypt", "--secret-key-file", key.toString());
        assertEquals(1, reencrypt.exit());
        assertNoValue(reencrypt.out() + reencrypt.err());
    }

    @Test
    void reencryptLeavesASecretItCannotOpenAndMovesTheRest() throws Exception {
        String oldKey = SecretKeyring.newKeyLine();
        Path old = keyFile("old.key", oldKey);
        Path stranger = keyFile("stranger.key", SecretKeyring.newKeyLine());
        Path both = keyFile("both.key", oldKey, SecretKeyring.newKeyLine());
        assertEquals(0, berth("create", "secret", "good", "--from-literal", "a=" + PASSWORD, "--secret-key-file", old.toString()).exit());
        assertEquals(0, berth("create", "secret", "foreign", "--from-literal", "a=" + PASSWORD, "--from-literal", "b=x",
                "--secret-key-file", stranger.toString()).exit());
        String foreignBefore = stored("secret", "foreign");
        CliRun run = berth("secrets", "reencrypt", "--secret-key-file", both.toString());
        assertEquals(1, run.exit());
        assertTrue(run.out().contains("secret/good re-encrypted: 1 value from key " + SecretKeyring.load(old).newestKeyId()), run.out());
        String strangerId = SecretKeyring.load(stranger).newestKeyId();
        assertTrue(run.err().contains("error: secret/foreign key \"a\" was encrypted with key " + strangerId), run.err());
        assertTrue(run.err().contains("error: secret/foreign key \"b\" was encrypted with key " + strangerId), run.err());
        assertTrue(run.err().contains("secret/foreign left as it was"), run.err());
        assertTrue(run.err().contains("1 secret could not be re-encrypted"), run.err());
        assertNoValue(run.out() + run.err());
        assertEquals(foreignBefore, stored("secret", "foreign"));
        assertEquals(SecretKeyring.load(both).newestKeyId(),
                SecretKeyring.keyIdOf(storedSecret("good").encryptedData().get("a")).orElseThrow());
    }

    @Test
    void reencryptLeavesASecretAGitSourceOwnsAndSaysToCommitIt() throws Exception {
        String oldKey = SecretKeyring.newKeyLine();
        Path old = keyFile("old.key", oldKey);
        Path both = keyFile("both.key", oldKey, SecretKeyring.newKeyLine());
        CliRun made = berth("create", "secret", "fromgit", "--from-literal", "a=" + PASSWORD, "--dry-run", "-o", "yaml",
                "--secret-key-file", old.toString());
        assertEquals(0, made.exit(), made.err());
        // As a sync stores it: the GitSource's annotation on the object.
        String synced = made.out().replace("  name: fromgit\n", "  name: fromgit\n  annotations:\n    berth.dev/gitsource: repo\n");
        assertTrue(synced.contains("berth.dev/gitsource"), synced);
        etcd.kv.commit(List.of(), List.of(new dev.berth.operator.store.EtcdKv.Write(etcd.prefix + "/v1/secret/fromgit", synced)));

        CliRun run = berth("secrets", "reencrypt", "--secret-key-file", both.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("error: secret/fromgit comes from gitsource/repo (1 value from key "
                + SecretKeyring.load(old).newestKeyId()), run.err());
        assertTrue(run.err().contains("commit it re-encrypted"), run.err());
        assertEquals(synced, stored("secret", "fromgit"), "a Secret the next sync would put back is left as it is");
        assertNoValue(run.out() + run.err());
    }

    @Test
    void twoKeysThenReencryptMovesEveryValueToTheNewKey() throws Exception {
        String oldKey = SecretKeyring.newKeyLine();
        String newKey = SecretKeyring.newKeyLine();
        Path old = keyFile("old.key", "# the first key", oldKey);
        Path both = keyFile("both.key", oldKey, "# added later", newKey);
        Path newOnly = keyFile("new.key", newKey);
        Path unrelated = keyFile("unrelated.key", SecretKeyring.newKeyLine());
        assertEquals(0, berth("create", "secret", "db", "--from-literal", "password=" + PASSWORD, "--from-literal", "user=app",
                "--secret-key-file", old.toString()).exit());
        assertEquals(0, berth("create", "secret", "api", "--from-literal", "token=t-" + PASSWORD,
                "--secret-key-file", old.toString()).exit());
        String oldId = SecretKeyring.load(old).newestKeyId();
        String newId = SecretKeyring.load(newOnly).newestKeyId();

        // A file with both keys reads what the old one wrote; new values go under the new key.
        assertEquals(PASSWORD, new String(SecretKeyring.load(both).decrypt("db", "password",
                storedSecret("db").encryptedData().get("password")), StandardCharsets.UTF_8));
        assertEquals(0, berth("create", "secret", "fresh", "--from-literal", "a=b", "--secret-key-file", both.toString()).exit());
        assertEquals(newId, SecretKeyring.keyIdOf(storedSecret("fresh").encryptedData().get("a")).orElseThrow());

        // A key file without the old key: a clear error naming secret, key and key id; nothing is changed.
        Map<String, String> before = etcd.snapshot();
        CliRun wrong = berth("secrets", "reencrypt", "--secret-key-file", unrelated.toString());
        assertEquals(1, wrong.exit(), wrong.out());
        assertTrue(wrong.err().contains("secret/db key \"password\" was encrypted with key " + oldId
                + ", which is not in the secret key file"), wrong.err());
        assertTrue(wrong.err().contains("secret/api left as it was"), wrong.err());
        assertNoValue(wrong.err() + wrong.out());
        assertEquals(before, etcd.snapshot());

        CliRun dry = berth("secrets", "reencrypt", "--dry-run", "--secret-key-file", both.toString());
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.out().contains("secret/db would be re-encrypted: 2 values from key " + oldId + " to key " + newId), dry.out());
        assertEquals(before, etcd.snapshot());

        CliRun moved = berth("secrets", "reencrypt", "--secret-key-file", both.toString());
        assertEquals(0, moved.exit(), moved.err());
        assertEquals(java.util.List.of(
                "secret/api re-encrypted: 1 value from key " + oldId + " to key " + newId,
                "secret/db re-encrypted: 2 values from key " + oldId + " to key " + newId,
                "secret/fresh unchanged (1 value under key " + newId + ")"), moved.out().lines().sorted().toList());
        assertNoValue(moved.out());
        SecretKeyring onlyNew = SecretKeyring.load(newOnly);
        for (String name : new String[] {"db", "api", "fresh"}) {
            storedSecret(name).encryptedData().forEach((k, envelope) -> {
                assertEquals(newId, SecretKeyring.keyIdOf(envelope).orElseThrow(), name + "/" + k);
                assertNoValue(envelope);
            });
        }
        assertEquals(PASSWORD, new String(onlyNew.decrypt("db", "password", storedSecret("db").encryptedData().get("password")),
                StandardCharsets.UTF_8));
        assertEquals("app", new String(onlyNew.decrypt("db", "user", storedSecret("db").encryptedData().get("user")),
                StandardCharsets.UTF_8));
        assertEquals("t-" + PASSWORD, new String(onlyNew.decrypt("api", "token", storedSecret("api").encryptedData().get("token")),
                StandardCharsets.UTF_8));

        // Nothing left under the old key: the old line can go.
        CliRun again = berth("secrets", "reencrypt", "--secret-key-file", newOnly.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().lines().allMatch(l -> l.contains(" unchanged ")), again.out());
    }

    @Test
    void configsHoldTextAndShowKeysAndSizes() throws Exception {
        String content = "# settings\nlisten: 8080\n  indented: \"quoted\" and trailing space \nlast line without newline";
        Path conf = write("app.conf", content);
        Path binary = dir.resolve("blob.bin");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        CliRun refused = berth("create", "config", "app", "--from-file", binary.toString());
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("the value of \"blob.bin\" is not UTF-8 text"), refused.err());

        CliRun create = berth("create", "config", "app", "--from-file", conf.toString(), "--from-literal", "mode=prod");
        assertEquals(0, create.exit(), create.err());
        assertEquals("config/app created\n", create.out());
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("etcd", stored("config", "app").getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of("app.conf", content, "mode", "prod"), parsed.resources().get(0).spec(ConfigSpec.class).data());

        CliRun get = berth("get", "configs");
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().lines().skip(1).findFirst().orElseThrow()
                .matches("app\\s+app.conf,mode\\s+" + (content.length() + 4) + "B\\s+1\\s+\\d+s"), get.out());
        CliRun describe = berth("describe", "config", "app");
        assertTrue(describe.out().lines().anyMatch(l -> l.matches("\\s+app.conf\\s+" + content.length() + "B")), describe.out());
        assertTrue(describe.out().contains("Used by:     (no stack or GitSource names it)"), describe.out());
        assertEquals(1, berth("create", "config", "app", "--from-literal", "mode=dev").exit());
    }

    @Test
    void badValuesAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path key = keyFile("cluster.key", SecretKeyring.newKeyLine());
        CliRun badKey = berth("create", "secret", "db", "--from-literal", "a/b=" + PASSWORD, "--secret-key-file", key.toString());
        assertEquals(1, badKey.exit());
        assertTrue(badKey.err().contains("data key \"a/b\" may hold only letters, digits"), badKey.err());
        assertNoValue(badKey.err());

        Path big = dir.resolve("big");
        Files.write(big, new byte[SecretSpec.MAX_VALUE_BYTES + 1]);
        CliRun tooBig = berth("create", "secret", "db", "--from-file", "big=" + big, "--secret-key-file", key.toString());
        assertEquals(1, tooBig.exit());
        assertTrue(tooBig.err().contains("at most " + SecretSpec.MAX_VALUE_BYTES + " (500 KiB)"), tooBig.err());

        Path almost = dir.resolve("almost");
        Files.write(almost, new byte[SecretSpec.MAX_VALUE_BYTES]);
        CliRun objectTooBig = berth("create", "secret", "db", "--from-file", "a=" + almost, "--from-file", "b=" + almost,
                "--secret-key-file", key.toString());
        assertEquals(1, objectTooBig.exit());
        assertTrue(objectTooBig.err().contains("secret/db would be "), objectTooBig.err());
        assertTrue(objectTooBig.err().contains("split the values into several objects"), objectTooBig.err());

        CliRun twice = berth("create", "secret", "db", "--from-literal", "a=1", "--from-literal", "a=2", "--secret-key-file", key.toString());
        assertEquals(1, twice.exit());
        assertTrue(twice.err().contains("key \"a\" is given twice"), twice.err());

        CliRun noKeyFile = berth("create", "secret", "db", "--from-literal", "a=" + PASSWORD);
        assertEquals(1, noKeyFile.exit());
        assertTrue(noKeyFile.err().contains("no secret key file: give --secret-key-file FILE or set BERTH_SECRET_KEY_FILE"),
                noKeyFile.err());

        CliRun noSeparator = berth("create", "secret", "db", "--from-literal", PASSWORD, "--secret-key-file", key.toString());
        assertEquals(1, noSeparator.exit());
        assertNoValue(noSeparator.err());

        CliRun badName = berth("create", "secret", "Not_A_Label", "--from-literal", "a=b", "--secret-key-file", key.toString());
        assertEquals(1, badName.exit());
        assertTrue(badName.err().contains("metadata.name"), badName.err());

        CliRun noValues = berth("create", "config", "c");
        assertEquals(1, noValues.exit());
        assertTrue(noValues.err().contains("no values"), noValues.err());
        assertTrue(etcd.snapshot().isEmpty(), etcd.snapshot().toString());
    }

    /** The key file named by the environment, in a berth process of its own (the variable holds a path, not a key). */
    @Test
    void theKeyFileMayComeFromTheEnvironment() throws Exception {
        Path key = keyFile("cluster.key", SecretKeyring.newKeyLine());
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BerthMain.class.getName(),
                "create", "secret", "db", "--from-file", "password=" + write("pw", PASSWORD), "--dry-run");
        builder.environment().put("BERTH_SECRET_KEY_FILE", key.toString());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), yaml);
        assertNoValue(yaml);
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("out", yaml.getBytes(StandardCharsets.UTF_8));
        assertEquals(PASSWORD, new String(SecretKeyring.load(key).decrypt("db", "password",
                parsed.resources().get(0).spec(SecretSpec.class).encryptedData().get("password")), StandardCharsets.UTF_8));

        builder.environment().put("BERTH_SECRET_KEY_FILE", dir.resolve("missing.key").toString());
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        Process missing = builder.start();
        String err = new String(missing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(missing.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, missing.exitValue(), err);
        assertTrue(err.contains("cannot read the secret key file " + dir.resolve("missing.key")), err);
    }

    @Test
    void newKeyPrintsAKeyLineAndHelpExplainsRotation() throws Exception {
        CliRun run = CliRun.raw("secrets", "new-key");
        assertEquals(0, run.exit(), run.err());
        var lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        assertTrue(lines.get(0).startsWith("# "), run.out());
        Path file = write("new.key", run.out());
        SecretKeyring keyring = SecretKeyring.load(file);
        assertEquals(1, keyring.keyIds().size());
        assertFalse(run.out().equals(CliRun.raw("secrets", "new-key").out()), "a new key each time");

        String help = CliRun.raw("secrets", "new-key", "--help").out();
        assertTrue(help.contains("oldest first"), help);
        assertTrue(help.contains("The last key encrypts"), help);
        assertTrue(help.contains("berth secrets reencrypt"), help);
        assertTrue(help.contains("remove the old key's line"), help);
    }
}
