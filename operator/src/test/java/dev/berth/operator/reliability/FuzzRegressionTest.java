package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzzer's findings and issue 20's defects of input, each through {@code berth validate}, {@code berth apply}
 * and (where the operator reads it) straight into etcd under a running operator: defect 3 (aliases and tags, as
 * issue 19 left them), 5 (a thousand stacks in one apply), 9b (bytes that are not UTF-8).
 */
class FuzzRegressionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestOperator op = TestOperator.create();

    @TempDir
    Path dir;

    /** Defect 9b: the operator decoded etcd values leniently (é in Latin-1 became U+FFFD) and ran what validate refused. */
    @Test
    void latin1BytesAreRefusedByValidateAndTheOperatorAlike() throws Exception {
        String stack = op.name("latin1");
        String yaml = StackYaml.stack(stack).with("env: {GREETING: caf\u00e9}").yaml();
        byte[] latin1 = yaml.getBytes(StandardCharsets.ISO_8859_1);
        int offset = yaml.indexOf('\u00e9');
        String expected = "not a text file (binary data at byte " + offset + ")";

        Path file = dir.resolve("latin1.yaml");
        Files.write(file, latin1);
        CliRun validate = CliRun.raw("validate", "-f", file.toString());
        assertEquals(1, validate.exit(), validate.err());
        String location = validate.err().lines().findFirst().orElseThrow();
        assertTrue(location.matches(".*latin1\\.yaml:\\d+:\\d+: " + java.util.regex.Pattern.quote(expected)), location);
        String lineCol = location.substring(file.toString().length(), location.indexOf(": not a text file"));

        CliRun apply = op.cli("apply", "-f", file.toString());
        assertEquals(1, apply.exit(), apply.err());
        assertEquals(Optional.empty(), op.stored("stack", stack));

        put(op.keys().desired("stack", stack), latin1);
        Await.until(WAIT, stack + " InvalidSpec", () -> invalidSpec(stack).isPresent(), () -> op.describeStatus(stack));
        assertTrue(invalidSpec(stack).get().contains(lineCol + ": " + expected), invalidSpec(stack).get());
        assertEquals(List.of(), op.containers(stack), "nothing runs for what validate refuses");
    }

    /** Defect 5: 1,000 stacks passed validate and then failed in etcd with "too many operations in txn request". */
    @Test
    void aThousandStacksAreRefusedBeforeAnythingIsWrittenWithTheLimitNamed() throws Exception {
        StringBuilder yaml = new StringBuilder();
        int first128 = 0;
        for (int i = 0; i < 1000; i++) {
            if (i == 128) {
                first128 = yaml.length();
            }
            yaml.append(StackYaml.stack(op.name("many" + i)).yaml()).append("---\n");
        }
        int line129 = new dev.berth.crds.ManifestParser(dev.berth.crds.Kinds.standard()).parse("many.yaml",
                yaml.toString()).resources().get(128).line();
        Path file = dir.resolve("many.yaml");
        Files.writeString(file, yaml);
        assertEquals(0, CliRun.raw("validate", "-f", file.toString()).exit());

        CliRun apply = op.cli("apply", "-f", file.toString());
        assertEquals(1, apply.exit(), apply.err());
        assertEquals(file + ":" + line129 + ":1: this apply holds 1000 objects and one apply writes at most 128, all"
                + " or nothing, in one etcd transaction (etcd's default --max-txn-ops); apply them in parts of at most"
                + " 128 objects\n1 error; nothing was changed\n", apply.err());
        assertEquals(List.of(), op.etcd.kv.list(op.keys().kindPrefix("stack")).values(), "nothing was written");
        CliRun dryRun = op.cli("apply", "--dry-run", "-f", file.toString());
        assertEquals(1, dryRun.exit(), "a dry run predicts the refusal");

        Files.writeString(file, yaml.substring(0, first128));
        CliRun limit = op.cli("apply", "--dry-run", "-f", file.toString());
        assertEquals(0, limit.exit(), limit.err());
        assertEquals(128, limit.out().lines().count(), "128 objects are one apply");
    }

    /**
     * Defect 3 through all three doors: an alias gives its anchor's value, {@code - *tmp} reuses an anchored item, an
     * undefined alias and an unknown tag are errors at their line and column (and InvalidSpec under the operator).
     */
    @Test
    void aliasesResolveAndUnknownTagsAndUndefinedAliasesAreErrorsEverywhere() throws Exception {
        String good = op.name("alias");
        String yaml = StackYaml.stack(good).with("env: {A: &g hello, B: *g}")
                .with("volumes:\n  - &tmp {type: tmpfs, target: /tmp, size: 8m}")
                .service("second").with("volumes:\n  - *tmp").yaml();
        Path file = dir.resolve("alias.yaml");
        Files.writeString(file, yaml);
        assertEquals(0, CliRun.raw("validate", "-f", file.toString()).exit());
        CliRun apply = op.cli("apply", "-f", file.toString());
        assertEquals(0, apply.exit(), apply.err());
        StackSpec stored = op.etcd.store.get(op.etcd.store.kinds().byKind("Stack").orElseThrow(), good).orElseThrow()
                .resource().orElseThrow().spec(StackSpec.class);
        assertEquals("hello", stored.services().get(0).env().get("B"));
        assertEquals("/tmp", stored.services().get(1).volumes().get(0).target());
        op.awaitReady(good, 2);
        String env = String.join(",", op.docker.inspectContainerCmd(op.containers(good).stream()
                .filter(c -> c.getNames()[0].contains("web")).findFirst().orElseThrow().getId()).exec().getConfig().getEnv());
        assertTrue(env.contains("B=hello"), env);

        refusedEverywhere("nope", "env: {A: *nope}", "unknown alias *nope");
        refusedEverywhere("binary", "env: {A: !!binary aGVsbG8=}", "!!binary");
    }

    private void refusedEverywhere(String suffix, String field, String says) throws Exception {
        String stack = op.name(suffix);
        byte[] yaml = StackYaml.stack(stack).with(field).yaml().getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve(suffix + ".yaml");
        Files.write(file, yaml);
        CliRun validate = CliRun.raw("validate", "-f", file.toString());
        assertEquals(1, validate.exit(), validate.err());
        assertTrue(validate.err().matches("(?s)" + java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: .*"
                + java.util.regex.Pattern.quote(says) + ".*"), validate.err());
        CliRun apply = op.cli("apply", "-f", file.toString());
        assertEquals(1, apply.exit(), apply.err());
        assertEquals(validate.err(), apply.err(), "apply says what validate says");
        put(op.keys().desired("stack", stack), yaml);
        Await.until(WAIT, stack + " InvalidSpec", () -> invalidSpec(stack).isPresent(), () -> op.describeStatus(stack));
        assertTrue(invalidSpec(stack).get().matches("(?s).*:\\d+:\\d+: .*" + java.util.regex.Pattern.quote(says) + ".*"),
                invalidSpec(stack).get());
        assertEquals(List.of(), op.containers(stack));
    }

    private Optional<String> invalidSpec(String stack) {
        return op.status(stack).flatMap(s -> s.condition("Degraded")).filter(c -> c.reason().equals("InvalidSpec"))
                .map(c -> c.message());
    }

    private void put(String key, byte[] value) throws Exception {
        op.etcd.client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
                .get(10, TimeUnit.SECONDS);
    }
}
