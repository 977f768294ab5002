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
import dev.berth.operator.TestClock;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.StackRevision;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StackRevisions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import picocli.CommandLine;
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
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> requests = new java.util.concurrent.ConcurrentHashMap<>();
        EtcdKv counted = new EtcdKv(etcd.client, etcd.settings, (operation, outcome, nanos) ->
                requests.computeIfAbsent(operation, o -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet());
        ManifestParser parser = new ManifestParser(Kinds.standard());
        new ResourceStore(counted, etcd.keys, Kinds.standard(), parser,
                new StackRevisions(counted, etcd.keys, parser, StackRevisions.DEFAULT_KEEP, java.time.Clock.systemUTC()))
                .apply(resources, "berth apply");
        for (int i = 0; i < 100; i++) {
            assertEquals(List.of("berth apply"), history("batch" + i).stream().map(StackRevision::changeCause).toList());
        }
        // The stacks in one transaction, their 100 revisions in as few as etcd takes (two: 2 compares each), not one
        // transaction (and a get and a list) per stack after the batch: an apply of 1,000 stacks took seconds.
        assertEquals(3, requests.get("txn").get(), "transactions of the apply: " + requests);
        // New stacks have no history to read first (one left over is caught by the write's guard: see below).
        assertFalse(requests.containsKey("list"), "lists of the apply: " + requests);
    }

    @Test
    void aBatchWhoseGuardsAloneExceedTheLimitStillRecordsEachChangedStack() {
        // 127 objects and 5 changed stacks: 10 writes, but 127 + 5 compares, over etcd's 128 per transaction.
        List<Resource> before = stacks(127, 0);
        etcd.store.apply(before, "berth apply");
        List<Resource> after = stacks(127, 5);
        etcd.store.apply(after, "changed");
        for (int i = 0; i < 127; i++) {
            List<String> causes = history("guards" + i).stream().map(StackRevision::changeCause).toList();
            assertEquals(i < 5 ? List.of("berth apply", "changed") : List.of("berth apply"), causes, "guards" + i);
            assertEquals(after.get(i).yaml(), stored("guards" + i));
        }
    }

    /** {@code count} stacks named guards0.., the first {@code changed} of them with an extra env variable. */
    private static List<Resource> stacks(int count, int changed) {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < count; i++) {
            StackYaml stack = StackYaml.stack("guards" + i);
            yaml.append((i < changed ? stack.with("env: {A: b}") : stack).yaml()).append("---\n");
        }
        List<Resource> resources = new ManifestParser(Kinds.standard()).parse("batch.yaml", yaml.toString()).resources();
        assertEquals(count, resources.size());
        return resources;
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

    private String revisionKey(String stack, long n) {
        return etcd.keys.revisionsOf(stack) + n;
    }

    private static String revisionJson(long n, String cause) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                new StackRevision(n, "concurrent", cause, "2026-01-01T00:00:00Z"));
    }

    /**
     * A store whose history clock writes {@code key} = {@code value} on its {@code at}-th reading: the clock is read
     * after the history was listed and before the transaction, which is where a concurrent writer slips in.
     */
    private ResourceStore storeWritingAt(int at, String key, String value) {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        TestClock clock = new TestClock(Instant.now()) {
            @Override
            public Instant instant() {
                if (calls.incrementAndGet() == at) {
                    etcd.kv.put(key, value);
                }
                return super.instant();
            }
        };
        ManifestParser parser = new ManifestParser(Kinds.standard());
        return new ResourceStore(etcd.kv, etcd.keys, Kinds.standard(), parser,
                new StackRevisions(etcd.kv, etcd.keys, parser, StackRevisions.DEFAULT_KEEP, clock));
    }

    @Test
    void anUnparsableNewestRevisionKeepsItsNumber() throws Exception {
        apply(StackYaml.stack("broken").with("env: {V: one}").yaml());
        etcd.kv.put(revisionKey("broken", 2), "{not json");
        apply(StackYaml.stack("broken").with("env: {V: two}").yaml());

        assertEquals("{not json", etcd.kv.get(revisionKey("broken", 2)).orElseThrow().value(), "not overwritten");
        assertEquals(List.of(1L, 3L), history("broken").stream().map(StackRevision::revision).toList());
        assertEquals(stored("broken"), history("broken").get(1).manifest());
    }

    @Test
    void aRevisionWrittenConcurrentlyIsNeverOverwritten() throws Exception {
        apply(StackYaml.stack("race").with("env: {V: one}").yaml());
        String theirs = revisionJson(2, "berth scale web=2");
        ResourceStore racing = storeWritingAt(1, revisionKey("race", 2), theirs);
        Resource two = new ManifestParser(Kinds.standard())
                .parse("race.yaml", StackYaml.stack("race").with("env: {V: two}").yaml()).resources().get(0);

        racing.apply(List.of(two), "berth apply");

        assertEquals(theirs, etcd.kv.get(revisionKey("race", 2)).orElseThrow().value(), "the other writer's revision");
        List<StackRevision> revisions = history("race");
        assertEquals(List.of(1L, 2L, 3L), revisions.stream().map(StackRevision::revision).toList());
        assertEquals(stored("race"), revisions.get(2).manifest(), "ours got the next number");
    }

    @Test
    void aNewStackWithAHistoryLeftOverGetsTheNextNumberAloneAndInALargeBatch() throws Exception {
        // A new stack's history is not read before its first write (a deleted stack's history goes with it); one left
        // over anyway refuses that write, and the stack is recorded after it, alone or in a batch too large for one
        // transaction.
        String leftOver = revisionJson(1, "left over");
        etcd.kv.put(revisionKey("alone", 1), leftOver);
        etcd.kv.put(revisionKey("batch7", 1), leftOver);
        apply(StackYaml.stack("alone").yaml());
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            yaml.append(StackYaml.stack("batch" + i).yaml()).append("---\n");
        }
        etcd.store.apply(new ManifestParser(Kinds.standard()).parse("batch.yaml", yaml.toString()).resources(),
                "berth apply");
        for (String stack : List.of("alone", "batch7")) {
            assertEquals(leftOver, etcd.kv.get(revisionKey(stack, 1)).orElseThrow().value(), stack);
            List<StackRevision> revisions = history(stack);
            assertEquals(List.of(1L, 2L), revisions.stream().map(StackRevision::revision).toList(), stack);
            assertEquals(stored(stack), revisions.get(1).manifest(), stack);
        }
        assertEquals(List.of("berth apply"), history("batch8").stream().map(StackRevision::changeCause).toList());
    }

    @Test
    void aLargeBatchsRevisionWrittenAfterAConcurrentOneGetsTheNextNumber() throws Exception {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            yaml.append(StackYaml.stack("big" + i).yaml()).append("---\n");
        }
        List<Resource> resources = new ManifestParser(Kinds.standard()).parse("batch.yaml", yaml.toString()).resources();
        String theirs = revisionJson(1, "berth restart");
        // The 100 readings plan the batch, each after every history was listed; at the last one another writer records
        // big0's revision 1, before the revisions are written after the stacks: that transaction is refused, and its
        // stacks are recorded one by one, big0 with the next number.
        ResourceStore racing = storeWritingAt(100, revisionKey("big0", 1), theirs);

        racing.apply(resources, "berth apply");

        assertEquals(theirs, etcd.kv.get(revisionKey("big0", 1)).orElseThrow().value(), "the other writer's revision");
        assertEquals(List.of("berth restart", "berth apply"),
                history("big0").stream().map(StackRevision::changeCause).toList());
        assertEquals(List.of("berth apply"), history("big1").stream().map(StackRevision::changeCause).toList());
    }

    @Test
    void undoDoesNotReplaceAChangeMadeAfterItsChecks() throws Exception {
        apply(StackYaml.stack("moving").with("env: {V: one}").yaml());
        apply(StackYaml.stack("moving").with("env: {V: two}").yaml());
        String synced = StackYaml.stack("moving").with("env: {V: three}")
                .metadata("annotations: {berth.dev/gitsource: repo, berth.dev/commit: abc}").yaml();
        CommandLine cli = BerthMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        RolloutUndoCommand undo = cli.getSubcommands().get("rollout").getSubcommands().get("undo").getCommand();
        // Between undo's checks and its write, a GitSource takes the stack over.
        undo.afterChecks = () -> etcd.kv.put(etcd.keys.desired("stack", "moving"), synced);

        int exit = cli.execute("rollout", "undo", "stack/moving", "--etcd-endpoints=" + etcd.settings.describeEndpoints(),
                "--prefix=" + etcd.prefix);

        assertEquals(1, exit, out.toString());
        assertEquals("error: stack/moving changed while undoing; run it again", err.toString().strip());
        assertEquals(synced, stored("moving"), "the change made meanwhile stays");
        assertEquals(2, history("moving").size());
    }
}
