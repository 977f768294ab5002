package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.Resource;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.StackRevision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Revision history, scale and undo against the real etcd (no operator: what the CLI writes). */
class RevisionsCliTest {
    @RegisterExtension
    final EtcdFixture etcd = new EtcdFixture();

    @TempDir
    Path dir;

    private CliRun berth(String... args) {
        return etcd.cli(args);
    }

    private CliRun apply(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("stack.yaml"), yaml);
        CliRun run = berth("apply", "-f", file.toString());
        assertEquals(0, run.exit(), run.err());
        return run;
    }

    private List<StackRevision> history(String stack) {
        return etcd.store.revisions().list(stack);
    }

    private String stored(String stack) {
        return etcd.kv.get(etcd.keys.desired("stack", stack)).orElseThrow().value();
    }

    private Resource storedResource(String stack) {
        return new ManifestParser(Kinds.standard()).parse("etcd", stored(stack)).resources().get(0);
    }

    private static int replicas(Resource stack, String service) {
        return stack.spec(StackSpec.class).services().stream().filter(s -> s.name().equals(service)).findFirst()
                .orElseThrow().replicas();
    }

    @Test
    void applyRecordsASpecChangeOnceAndNotANoOpOrALabel() throws Exception {
        apply(StackYaml.stack("shop").yaml());
        apply(StackYaml.stack("shop").yaml());
        apply(StackYaml.stack("shop").metadata("labels: {team: blue}").yaml());
        assertEquals(List.of(1L), history("shop").stream().map(StackRevision::revision).toList(),
                "a no-op apply and a label change roll nothing out");
        apply(StackYaml.stack("shop").metadata("labels: {team: blue}").with("env: {A: b}").yaml());

        List<StackRevision> revisions = history("shop");
        assertEquals(List.of(1L, 2L), revisions.stream().map(StackRevision::revision).toList());
        assertEquals("berth apply", revisions.get(1).changeCause());
        assertEquals(stored("shop"), revisions.get(1).manifest(), "the manifest as written to etcd");

        CliRun table = berth("rollout", "history", "stack", "shop");
        assertEquals(0, table.exit(), table.err());
        List<String> lines = table.out().lines().toList();
        assertEquals(List.of("REVISION", "CHANGE-CAUSE", "AGE"), List.of(lines.get(0).split("\\s{2,}")));
        assertTrue(lines.get(2).matches("2\\s+berth apply\\s+\\d+s"), lines.get(2));
        CliRun one = berth("rollout", "history", "stack/shop", "--revision", "1");
        assertEquals(0, one.exit(), one.err());
        assertEquals(revisions.get(0).manifest(), one.out());
        CliRun missing = berth("rollout", "history", "stack/shop", "--revision", "7");
        assertEquals(1, missing.exit());
        assertEquals("error: stack/shop has no revision 7 (kept: 1, 2)", missing.err().strip());
    }

    @Test
    void historyKeepsTheLastTenAndDeleteRemovesIt() throws Exception {
        for (int i = 1; i <= 12; i++) {
            apply(StackYaml.stack("many").with("env: {N: \"" + i + "\"}").yaml());
        }
        List<StackRevision> revisions = history("many");
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L),
                revisions.stream().map(StackRevision::revision).toList());
        assertTrue(revisions.get(9).manifest().contains("N: \"12\""));

        assertEquals(0, berth("delete", "stack", "many").exit());
        assertEquals(List.of(), etcd.kv.list(etcd.keys.revisionsOf("many")).values());
    }

    @Test
    void aBatchTooLargeForOneTransactionWithItsHistoryStillApplies() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            yaml.append(StackYaml.stack("batch" + i).yaml()).append("---\n");
        }
        List<Resource> resources = new ManifestParser(Kinds.standard()).parse("batch.yaml", yaml.toString()).resources();
        assertEquals(100, resources.size());
        etcd.store.apply(resources, "berth apply");
        for (int i = 0; i < 100; i++) {
            assertEquals(List.of("berth apply"), history("batch" + i).stream().map(StackRevision::changeCause).toList());
        }
    }

    @Test
    void scaleChangesOnlyThatNumberAndRecordsIt() throws Exception {
        String yaml = StackYaml.stack("shop").service("web").replicas(1).with("env: {ANSWER: no}  # kept")
                .service("api").yaml();
        apply(yaml);
        CliRun scale = berth("scale", "stack/shop/web", "--replicas", "3");
        assertEquals(0, scale.exit(), scale.err());
        assertEquals("stack/shop/web scaled to 3\n", scale.out());
        assertEquals(3, replicas(storedResource("shop"), "web"));
        assertEquals(1, replicas(storedResource("shop"), "api"));
        assertTrue(stored("shop").contains("env: {ANSWER: no}  # kept"), stored("shop"));
        assertEquals(yaml.length(), stored("shop").length(), "one digit for another:\n" + stored("shop"));
        assertEquals("berth scale web=3", history("shop").get(1).changeCause());

        CliRun again = berth("scale", "stack", "shop/web", "--replicas", "3");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("nothing changed"), again.out());
        assertEquals(2, history("shop").size());

        CliRun negative = berth("scale", "stack/shop/web", "--replicas", "-1");
        assertEquals(2, negative.exit(), "bad usage");
        assertEquals("error: --replicas must be 0 or more (got -1) (see berth scale --help)\n", negative.err(),
                "one line, no usage");
        CliRun noService = berth("scale", "stack/shop/cache", "--replicas", "2");
        assertEquals(1, noService.exit());
        assertEquals("error: stack/shop has no service \"cache\" (services: web, api)", noService.err().strip());
        CliRun unnamed = berth("scale", "stack/shop", "--replicas", "2");
        assertEquals(1, unnamed.exit());
        assertTrue(unnamed.err().contains("has 2 services; name one"), unnamed.err());
        CliRun notAStack = berth("scale", "network/shop/web", "--replicas", "2");
        assertEquals(2, notAStack.exit());
        assertEquals(2, history("shop").size(), "refusals write nothing");
    }

    @Test
    void undoGoesBackAndIsRecordedAsANewRevision() throws Exception {
        apply(StackYaml.stack("shop").with("env: {V: one}").yaml());
        apply(StackYaml.stack("shop").with("env: {V: two}").yaml());
        assertEquals(0, berth("restart", "stack/shop").exit(), "KIND/NAME as well as KIND NAME");
        assertEquals("berth restart", history("shop").get(2).changeCause());

        CliRun undo = berth("rollout", "undo", "stack", "shop");
        assertEquals(0, undo.exit(), undo.err());
        assertEquals("stack/shop rolled back to revision 2\n", undo.out());
        CliRun toOne = berth("rollout", "undo", "stack/shop", "--to-revision", "1");
        assertEquals(0, toOne.exit(), toOne.err());
        assertTrue(stored("shop").contains("V: one"), stored("shop"));
        List<StackRevision> revisions = history("shop");
        assertEquals(5, revisions.size());
        assertEquals("berth rollout undo --to-revision 1", revisions.get(4).changeCause());
        assertEquals(revisions.get(0).manifest(), revisions.get(4).manifest());

        CliRun same = berth("rollout", "undo", "stack/shop", "--to-revision", "1");
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.out().contains("skipped rollback"), same.out());
        assertEquals(5, history("shop").size());
        assertEquals(1, berth("rollout", "undo", "stack/shop", "--to-revision", "9").exit());
    }

    @Test
    void aStackAGitSourceSyncsIsRefusedWithoutForce() throws Exception {
        String synced = StackYaml.stack("fromgit").metadata("annotations: {berth.dev/gitsource: repo, berth.dev/commit: abc}").yaml();
        etcd.kv.commit(List.of(), List.of(new EtcdKv.Write(etcd.keys.desired("stack", "fromgit"), synced)));

        CliRun scale = berth("scale", "stack/fromgit/web", "--replicas", "2");
        assertEquals(1, scale.exit());
        assertEquals("error: stack/fromgit is synced from gitsource/repo: its next sync writes it back as committed,"
                + " which would undo the scale; to scale it, change it in git, or pass --force", scale.err().strip());
        CliRun undo = berth("rollout", "undo", "stack/fromgit");
        assertEquals(1, undo.exit());
        assertTrue(undo.err().contains("which would undo the rollback; to roll it back"), undo.err());
        assertEquals(synced, stored("fromgit"));

        assertEquals(0, berth("scale", "stack/fromgit/web", "--replicas", "2", "--force").exit());
        assertEquals(2, replicas(storedResource("fromgit"), "web"));
        List<StackRevision> revisions = history("fromgit");
        assertEquals(List.of("(before history was kept)", "berth scale web=2"),
                revisions.stream().map(StackRevision::changeCause).toList(), "the stack from before history, then the scale");
        CliRun forced = berth("rollout", "undo", "stack/fromgit", "--force");
        assertEquals(0, forced.exit(), forced.err());
        assertEquals(1, replicas(storedResource("fromgit"), "web"));
        assertFalse(history("fromgit").isEmpty());
    }
}
