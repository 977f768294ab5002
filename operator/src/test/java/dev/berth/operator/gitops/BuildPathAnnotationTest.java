package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectSetCheck;
import dev.berth.crds.Resource;
import dev.berth.operator.store.StoredValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manifest's path as a third GitOps annotation (a relative build context is resolved from its folder), and a
 * stack built from its checkout following every new commit while other objects are rewritten only when they change.
 */
class BuildPathAnnotationTest {
    private static final ManifestParser PARSER = new ManifestParser(Kinds.standard());

    private static String stack(String name, String build) {
        return "apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: " + name + "  # the web tier\n"
                + "  labels: {tier: web}\nspec:\n  services:\n    - name: app\n      image: busybox\n" + build;
    }

    @Test
    void theBuildsReadTheAnnotationsGitOpsWrites() {
        assertEquals(GitAnnotations.SOURCE, dev.berth.operator.images.GitContexts.SOURCE_ANNOTATION);
        assertEquals(GitAnnotations.COMMIT, dev.berth.operator.images.GitContexts.COMMIT_ANNOTATION);
        assertEquals(GitAnnotations.PATH, dev.berth.operator.images.GitContexts.PATH_ANNOTATION);
    }

    @Test
    void thePathIsAddedKeepingTheTextAndReplacedOnTheNextInject() {
        String yaml = stack("web", "");
        String once = GitAnnotations.inject(yaml, "src", "c1", "deploy/web/stack.yaml");
        assertTrue(once.contains("  name: web  # the web tier\n"), "text kept as written: " + once);
        assertEquals(Map.of(GitAnnotations.SOURCE, "src", GitAnnotations.COMMIT, "c1", GitAnnotations.PATH,
                "deploy/web/stack.yaml"), GitAnnotations.read(once));
        String twice = GitAnnotations.inject(once, "src", "c2", "moved/stack.yaml");
        assertEquals(Map.of(GitAnnotations.SOURCE, "src", GitAnnotations.COMMIT, "c2", GitAnnotations.PATH,
                "moved/stack.yaml"), GitAnnotations.read(twice));
        assertEquals(once.lines().count(), twice.lines().count(), "replaced, not added again");
        // a path with quotes and backslashes stays one valid string
        String odd = GitAnnotations.inject(yaml, "src", "c1", "we\"ird\\dir/stack.yaml");
        assertEquals("we\"ird\\dir/stack.yaml", GitAnnotations.read(odd).get(GitAnnotations.PATH));
        // flow-style metadata is re-serialised, the path included
        String flow = "apiVersion: berth.dev/v1\nkind: Stack\nmetadata: {name: web}\nspec:\n  services:\n"
                + "    - {name: app, image: busybox}\n";
        assertEquals("a/b.yaml", GitAnnotations.read(GitAnnotations.inject(flow, "src", "c1", "a/b.yaml"))
                .get(GitAnnotations.PATH));
    }

    private static SyncPlanner.Desired desired(String yaml, String commit) {
        Resource r = PARSER.parse("deploy/stack.yaml", yaml).resources().get(0);
        return new SyncPlanner.Desired(r.key(), "/berth/v1/" + r.key(),
                GitAnnotations.inject(yaml, "src", commit, "deploy/stack.yaml"), r);
    }

    private static SyncPlanner.Current stored(String yaml, String commit, String path) {
        Resource r = PARSER.parse("deploy/stack.yaml", yaml).resources().get(0);
        return new SyncPlanner.Current(r.key(), new StoredValue("/berth/v1/" + r.key(),
                GitAnnotations.inject(yaml, "src", commit, path), 5, 5));
    }

    @Test
    void aStackBuiltFromTheCheckoutIsRewrittenForANewCommitOthersAreNot() {
        String built = stack("built", "      build: {context: ../app}\n");
        String onHost = stack("onhost", "      build: {context: /srv/app}\n");
        String plain = stack("plain", "");
        SyncPlan plan = SyncPlanner.plan("src", false, false, false,
                List.of(desired(built, "c2"), desired(onHost, "c2"), desired(plain, "c2")),
                Map.of("stack/built", stored(built, "c1", "deploy/stack.yaml"),
                        "stack/onhost", stored(onHost, "c1", "deploy/stack.yaml"),
                        "stack/plain", stored(plain, "c1", "deploy/stack.yaml")),
                Map.of(), PARSER, ObjectSetCheck.standard());
        assertEquals(List.of("stack/built"), plan.changed());
        assertEquals(List.of("stack/onhost", "stack/plain"), plan.unchanged().stream().sorted().toList());

        // stored by an operator that did not write the path yet: rewritten once, then left alone
        SyncPlan old = SyncPlanner.plan("src", false, false, false, List.of(desired(built, "c1")),
                Map.of("stack/built", stored(built, "c1", null)), Map.of(), PARSER, ObjectSetCheck.standard());
        assertEquals(List.of("stack/built"), old.changed());
        SyncPlan same = SyncPlanner.plan("src", false, false, false, List.of(desired(built, "c1")),
                Map.of("stack/built", stored(built, "c1", "deploy/stack.yaml")), Map.of(), PARSER,
                ObjectSetCheck.standard());
        assertEquals(List.of("stack/built"), same.unchanged());
    }
}
