package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.crds.stack.StackAnnotations;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.images.ImagePin;
import dev.berth.operator.images.ImagePinStore;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.EtcdKv;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI side of images against the real etcd: registry Secrets, berth restart stack, pins in describe and delete,
 * the apply-time refusal of a relative build context, and compose import of a file that builds.
 */
class ImagesCliTest {
    private static final String PASSWORD = "s3cret-R3gistry-Pa55";
    private static final String DIGEST = "sha256:" + "ab12".repeat(16);

    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @TempDir
    Path dir;

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private String stored(String kind, String name) {
        return etcd.kv.get(etcd.prefix + "/v1/" + kind + "/" + name).orElseThrow().value();
    }

    private Resource storedResource(String kind, String name) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("etcd", stored(kind, name).getBytes(StandardCharsets.UTF_8));
        assertTrue(parsed.ok(), parsed.errors().toString());
        return parsed.resources().get(0);
    }

    private static CliRun withStdin(String text, Supplier<CliRun> run) {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(old);
        }
    }

    private Path keyFile() throws Exception {
        return write("cluster.key", SecretKeyring.newKeyLine() + "\n");
    }

    @Test
    void createSecretRegistrySealsTheLoginAndNeverShowsThePassword() throws Exception {
        Path key = keyFile();
        CliRun create = withStdin(PASSWORD + "\n", () -> berth("create", "secret", "registry", "reg",
                "--server", "registry.example.com:5000", "--username", "ci", "--password-stdin",
                "--secret-key-file", key.toString()));
        assertEquals(0, create.exit(), create.err());
        assertEquals("secret/reg created\n", create.out());

        String raw = stored("secret", "reg");
        assertFalse(raw.contains(PASSWORD), raw);
        SecretSpec spec = storedResource("secret", "reg").spec(SecretSpec.class);
        assertTrue(spec.isRegistry(), raw);
        assertEquals("registry.example.com:5000", spec.registry());
        assertEquals(java.util.Set.of("username", "password"), spec.encryptedData().keySet());
        SecretKeyring keyring = SecretKeyring.load(key);
        assertEquals(PASSWORD, new String(keyring.decrypt("reg", "password", spec.encryptedData().get("password")),
                StandardCharsets.UTF_8), "the line break of the echo is not part of the password");
        assertEquals("ci", new String(keyring.decrypt("reg", "username", spec.encryptedData().get("username")),
                StandardCharsets.UTF_8));

        CliRun get = berth("get", "secrets");
        assertEquals(0, get.exit(), get.err());
        List<String> row = List.of(get.out().lines().toList().get(1).split("\\s+"));
        assertEquals(List.of("reg", "Registry", "password,username"), row.subList(0, 3), get.out());
        CliRun describe = berth("describe", "secret", "reg");
        assertEquals(0, describe.exit(), describe.err());
        assertTrue(describe.out().contains("Type:        Registry\nRegistry:    registry.example.com:5000\n"),
                describe.out());
        for (CliRun shown : List.of(get, describe, berth("get", "secret", "reg", "-o", "yaml"),
                berth("get", "secret", "reg", "-o", "json"))) {
            assertFalse((shown.out() + shown.err()).contains(PASSWORD), shown.out());
        }
        assertTrue(berth("get", "secret", "reg", "-o", "yaml").out().contains("registry: registry.example.com:5000"));

        CliRun again = withStdin(PASSWORD, () -> berth("create", "secret", "registry", "reg", "--server", "r.example",
                "--username", "ci", "--password-stdin", "--secret-key-file", key.toString()));
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("secret/reg already exists; to replace it: berth create secret registry reg"),
                again.err());
    }

    @Test
    void createSecretRegistryFromAFileAsADryRunThatAppliesUnchanged() throws Exception {
        Path key = keyFile();
        Path password = write("password.txt", PASSWORD + "\r\n");
        CliRun dry = berth("create", "secret", "registry", "hub", "--server", "docker.io", "--username", "me",
                "--password-file", password.toString(), "--dry-run", "-o", "yaml", "--secret-key-file", key.toString());
        assertEquals(0, dry.exit(), dry.err());
        assertFalse(dry.out().contains(PASSWORD), dry.out());
        assertTrue(dry.out().contains("type: Registry\n  registry: docker.io\n"), dry.out());
        assertTrue(etcd.kv.get(etcd.prefix + "/v1/secret/hub").isEmpty(), "a dry run writes nothing");

        // Applied as it is (a GitSource would do the same), it keeps its registry host.
        CliRun apply = berth("apply", "-f", write("hub.yaml", dry.out()).toString(), "--secret-key-file", key.toString());
        assertEquals(0, apply.exit(), apply.err());
        SecretSpec spec = storedResource("secret", "hub").spec(SecretSpec.class);
        assertEquals("docker.io", spec.registry());
        assertEquals(PASSWORD, new String(SecretKeyring.load(key).decrypt("hub", "password",
                spec.encryptedData().get("password")), StandardCharsets.UTF_8));
    }

    @Test
    void reencryptKeepsTheRegistryHost() throws Exception {
        String oldKey = SecretKeyring.newKeyLine();
        Path old = write("old.key", oldKey + "\n");
        Path both = write("both.key", oldKey + "\n" + SecretKeyring.newKeyLine() + "\n");
        CliRun create = withStdin(PASSWORD, () -> berth("create", "secret", "registry", "reg", "--server",
                "10.0.0.5:5000", "--username", "ci", "--password-stdin", "--secret-key-file", old.toString()));
        assertEquals(0, create.exit(), create.err());
        CliRun reencrypt = berth("secrets", "reencrypt", "--secret-key-file", both.toString());
        assertEquals(0, reencrypt.exit(), reencrypt.out() + reencrypt.err());
        SecretSpec spec = storedResource("secret", "reg").spec(SecretSpec.class);
        assertEquals("10.0.0.5:5000", spec.registry());
        SecretKeyring keyring = SecretKeyring.load(both);
        assertEquals(keyring.newestKeyId(), SecretKeyring.keyIdOf(spec.encryptedData().get("password")).orElseThrow());
        assertEquals(PASSWORD, new String(keyring.decrypt("reg", "password", spec.encryptedData().get("password")),
                StandardCharsets.UTF_8));
    }

    @Test
    void createSecretRegistryRefusesAPasswordArgumentAndABadServer() throws Exception {
        Path key = keyFile();
        CliRun asArgument = berth("create", "secret", "registry", "reg", "--server", "r.example", "--username", "ci",
                "--password", PASSWORD, "--secret-key-file", key.toString());
        assertEquals(2, asArgument.exit(), asArgument.err());
        assertTrue(asArgument.err().contains("--password"), asArgument.err());

        CliRun scheme = withStdin(PASSWORD, () -> berth("create", "secret", "registry", "reg", "--server",
                "https://r.example", "--username", "ci", "--password-stdin", "--secret-key-file", key.toString()));
        assertEquals(1, scheme.exit());
        assertTrue(scheme.err().contains("the registry \"https://r.example\" has a scheme; write only the host (and port),"
                + " like r.example"), scheme.err());
        assertFalse(scheme.err().contains(PASSWORD));
        assertTrue(etcd.kv.get(etcd.prefix + "/v1/secret/reg").isEmpty());
    }

    @Test
    void restartWritesTheAnnotationAndKeepsTheRestAsWritten() throws Exception {
        String yaml = StackYaml.stack("shop").with("env: {ANSWER: no, MODE: \"0700\"}  # a comment").yaml();
        CliRun apply = berth("apply", "-f", write("shop.yaml", yaml).toString());
        assertEquals(0, apply.exit(), apply.err());
        String before = stored("stack", "shop");
        long revision = etcd.kv.get(etcd.prefix + "/v1/stack/shop").orElseThrow().modRevision();

        Instant start = Instant.now().minusMillis(1);
        CliRun restart = berth("restart", "stack", "shop");
        assertEquals(0, restart.exit(), restart.err());
        assertEquals("stack/shop restarted\n", restart.out());
        Resource after = storedResource("stack", "shop");
        Instant at = Instant.parse(after.metadata().annotations().get(StackAnnotations.RESTARTED_AT));
        assertTrue(!at.isBefore(start) && !at.isAfter(Instant.now()), at.toString());
        String text = stored("stack", "shop");
        assertTrue(text.endsWith(before.substring(before.indexOf("spec:"))), "the spec is kept as written:\n" + text);
        assertEquals(storedResourceSpec(before), after.spec(StackSpec.class));
        assertNotEquals(revision, etcd.kv.get(etcd.prefix + "/v1/stack/shop").orElseThrow().modRevision());

        CliRun second = berth("restart", "st", "shop");
        assertEquals(0, second.exit(), second.err());
        assertNotEquals(at.toString(), storedResource("stack", "shop").metadata().annotations()
                .get(StackAnnotations.RESTARTED_AT), "a second restart picks the images again too");

        CliRun missing = berth("restart", "stack", "nothere");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("stack/nothere not found"), missing.err());
    }

    private static StackSpec storedResourceSpec(String yaml) {
        return new ManifestParser(Kinds.standard()).parse("x", yaml).resources().get(0).spec(StackSpec.class);
    }

    @Test
    void restartOfAStackAGitSourceSyncsNeedsForce() throws Exception {
        String synced = StackYaml.stack("fromgit").metadata("annotations: {berth.dev/gitsource: repo, berth.dev/commit: abc}").yaml();
        etcd.kv.commit(List.of(), List.of(new EtcdKv.Write(etcd.prefix + "/v1/stack/fromgit", synced)));

        CliRun refused = berth("restart", "stack", "fromgit");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("stack/fromgit is synced from gitsource/repo: its next sync writes it back as"
                + " committed, which would undo the restart"), refused.err());
        assertEquals(synced, stored("stack", "fromgit"));

        CliRun forced = berth("restart", "stack", "fromgit", "--force");
        assertEquals(0, forced.exit(), forced.err());
        Map<String, String> annotations = storedResource("stack", "fromgit").metadata().annotations();
        assertEquals("repo", annotations.get("berth.dev/gitsource"));
        assertEquals("abc", annotations.get("berth.dev/commit"));
        assertTrue(annotations.containsKey(StackAnnotations.RESTARTED_AT), annotations.toString());
    }

    @Test
    void describeListsThePinsAndDeleteRemovesThem() throws Exception {
        String yaml = StackYaml.stack("shop").service("web").image("registry.example.com/shop/web:2")
                .service("api").image("registry.example.com/shop/api:1").yaml();
        assertEquals(0, berth("apply", "-f", write("shop.yaml", yaml).toString()).exit());
        ImagePinStore pins = new ImagePinStore(etcd.kv, etcd.keys);
        pins.propose("shop", "web", new ImagePin("registry.example.com/shop/web:2", "g1",
                "registry.example.com/shop/web@" + DIGEST, "host-a", "2026-12-02T07:00:00Z"));

        CliRun describe = berth("describe", "stack", "shop");
        assertEquals(0, describe.exit(), describe.err());
        List<String> lines = describe.out().lines().toList();
        int images = lines.indexOf("Images:");
        assertTrue(images >= 0, describe.out());
        assertEquals(List.of("SERVICE", "IMAGE", "PINNED", "HOST", "AT"), List.of(lines.get(images + 1).strip().split("\\s+")));
        assertEquals(List.of("web", "registry.example.com/shop/web:2", "registry.example.com/shop/web@" + DIGEST,
                "host-a", "2026-12-02T07:00:00Z"), List.of(lines.get(images + 2).strip().split("\\s+")));
        assertEquals(List.of("api", "registry.example.com/shop/api:1", "(not", "pinned)"),
                List.of(lines.get(images + 3).strip().split("\\s+")));

        CliRun delete = berth("delete", "stack", "shop");
        assertEquals(0, delete.exit(), delete.err());
        assertTrue(etcd.kv.get(etcd.prefix + "/v1/stack/shop").isEmpty());
        assertTrue(etcd.kv.get(etcd.keys.imagePins("shop")).isEmpty(), "the pins go with the stack");
        assertEquals(Map.of(), pins.read("shop"));
    }

    @Test
    void applyRefusesARelativeBuildContextAtItsLine() throws Exception {
        Path file = write("built.yaml", """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata:
                  name: built
                spec:
                  services:
                    - name: web
                      build:
                        context: app
                    - name: api
                      build: {context: /srv/api}
                """);
        CliRun apply = berth("apply", "-f", file.toString());
        assertEquals(1, apply.exit());
        assertEquals(file + ":9:18: spec.services[0].build.context: a relative build context is resolved in a "
                + "GitSource's checkout; give an absolute path on the hosts, or sync this stack from a GitSource\n"
                + "1 error; nothing was changed\n", apply.err());
        assertTrue(etcd.kv.get(etcd.prefix + "/v1/stack/built").isEmpty());

        // The same manifest is valid as such (a GitSource's sync accepts it), and an absolute context applies.
        CliRun validate = berth("validate", "-f", file.toString());
        assertEquals(0, validate.exit(), validate.err());
        Files.writeString(file, Files.readString(file).replace("context: app", "context: /srv/web"));
        CliRun absolute = berth("apply", "-f", file.toString());
        assertEquals(0, absolute.exit(), absolute.err());
        assertEquals("/srv/web", storedResource("stack", "built").spec(StackSpec.class).services().get(0).build().context());
    }

    @Test
    void importComposeWithBuildWritesTheContextRelativeToTheOutputAndValidates() throws Exception {
        Path compose = write("project/docker-compose.yml", """
                services:
                  web:
                    build:
                      context: ./web
                      args: [VERSION=1.2]
                    image: registry.example.com/shop/web
                    pull_policy: always
                """);
        write("project/web/Dockerfile", "FROM busybox\n");
        Path output = dir.resolve("stack.yaml");
        CliRun imported = berth("import", "compose", compose.toString(), "--name", "shop", "-o", output.toString());
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(imported.err().contains("services.web.build.context: the build context becomes \"project/web\""),
                imported.err());
        StackSpec spec = new ManifestParser(Kinds.standard()).parse("o", Files.readString(output)).resources().get(0)
                .spec(StackSpec.class);
        assertEquals("project/web", spec.services().get(0).build().context());
        assertEquals(Map.of("VERSION", "1.2"), spec.services().get(0).build().args());
        assertEquals("Always", spec.services().get(0).imagePullPolicy());
        CliRun validate = berth("validate", "-f", output.toString());
        assertEquals(0, validate.exit(), validate.err());

        CliRun printed = berth("import", "compose", compose.toString(), "--name", "shop");
        assertEquals(0, printed.exit(), printed.err());
        assertTrue(printed.out().contains("context: web\n"), printed.out());
    }
}
