package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.Resource;
import dev.berth.operator.StackYaml;
import dev.berth.operator.store.StackRevisions;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The pure parts of the day-2 stack commands: naming a stack and its service, and what counts as a rollout. */
class TargetArgumentTest {
    private final CommandLine cli = new CommandLine(new RolloutCommand());

    private TargetArgument parse(boolean part, String... words) {
        return TargetArgument.parse(List.of(words), "Stack", part, cli);
    }

    @Test
    void acceptsBothSpellingsAndKindAliases() {
        assertEquals(new TargetArgument("shop", "web"), parse(true, "stack/shop/web"));
        assertEquals(new TargetArgument("shop", "web"), parse(true, "st", "shop/web"));
        assertEquals(new TargetArgument("shop", null), parse(true, "stacks/shop"));
        assertEquals(new TargetArgument("shop", null), parse(false, "stack", "shop"));
    }

    @Test
    void refusesOtherKindsAndShapesAsUsageErrors() {
        assertThrows(CommandLine.ParameterException.class, () -> parse(true, "network/shop/web"));
        assertThrows(CommandLine.ParameterException.class, () -> parse(false, "stack/shop/web"));
        assertThrows(CommandLine.ParameterException.class, () -> parse(true, "shop"));
        assertThrows(CommandLine.ParameterException.class, () -> parse(true, "stack/shop/"));
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> TargetArgument.parse(List.of("stack/x/y"), "GitSource", false, cli));
        assertTrue(e.getMessage().contains("only gitsources can be named here"), e.getMessage());
    }

    private static Resource stack(StackYaml yaml) {
        return new ManifestParser(Kinds.standard()).parse("t.yaml", yaml.yaml()).resources().get(0);
    }

    @Test
    void aRolloutIsASpecOrRestartChangeNotALabelOrComment() {
        Resource base = stack(StackYaml.stack("shop"));
        assertTrue(StackRevisions.sameRollout(base, stack(StackYaml.stack("shop").metadata("labels: {a: b}  # c"))));
        assertTrue(!StackRevisions.sameRollout(base, stack(StackYaml.stack("shop").replicas(2))));
        assertTrue(!StackRevisions.sameRollout(base,
                stack(StackYaml.stack("shop").metadata("annotations: {berth.dev/restarted-at: \"2026-12-02T11:00:00Z\"}"))));
    }
}
