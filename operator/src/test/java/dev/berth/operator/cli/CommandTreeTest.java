package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A command run from the shell gets a tree holding only itself under {@code berth} (its start skips the reflection
 * over the others); everything it can print must be what the whole tree prints.
 */
class CommandTreeTest {
    private static final Set<String> READ_THE_TREE = Set.of("help", "completion");

    @Test
    void aNamedCommandGetsATreeOfItsOwnThatPrintsTheSameHelp() {
        Map<String, CommandLine> whole = BerthMain.commandLine().getSubcommands();
        assertTrue(whole.size() > 20, "the whole tree: " + whole.keySet());
        for (String name : whole.keySet()) {
            if (READ_THE_TREE.contains(name)) {
                continue;
            }
            CommandLine lean = BerthMain.commandLineFor(name, "--help");
            assertEquals(Set.of(name), lean.getSubcommands().keySet(), "the tree for `berth " + name + "`");
            assertSameHelp(whole.get(name), lean.getSubcommands().get(name));
            assertSameHandling(whole.get(name), lean.getSubcommands().get(name));
        }
    }

    @Test
    void whatReadsOrListsTheOtherCommandsGetsTheWholeTree() {
        int all = BerthMain.commandLine().getSubcommands().size();
        for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"gett", "stacks"}, {"help", "get"},
                {"completion", "bash"}, {"GET", "stacks"}}) {
            assertEquals(all, BerthMain.commandLineFor(args).getSubcommands().size(), "berth " + String.join(" ", args));
        }
    }

    @Test
    void usageErrorsInALeanTreeReadAsInTheWholeOne() {
        String[] args = {"get", "stax"};
        assertEquals(run(BerthMain.commandLine(), args), run(BerthMain.commandLineFor(args), args));
        String[] option = {"get", "stacks", "--no-such-option"};
        assertEquals(run(BerthMain.commandLine(), option), run(BerthMain.commandLineFor(option), option));
    }

    /** Every command and subcommand below {@code a} has the usage text of its match below {@code b}. */
    private static void assertSameHelp(CommandLine a, CommandLine b) {
        assertEquals(a.getUsageMessage(), b.getUsageMessage(), a.getCommandSpec().qualifiedName());
        assertEquals(a.getSubcommands().keySet(), b.getSubcommands().keySet(), a.getCommandSpec().qualifiedName());
        a.getSubcommands().forEach((name, sub) -> assertSameHelp(sub, b.getSubcommands().get(name)));
    }

    /**
     * Every command below {@code a} handles errors and enum values as its match below {@code b}: Berth's one-line
     * errors, its usage errors (exit 2) and enum values in any case ({@code ps -o WIDE}).
     */
    private static void assertSameHandling(CommandLine a, CommandLine b) {
        String name = a.getCommandSpec().qualifiedName();
        assertEquals(OneLineErrors.class, b.getExecutionExceptionHandler().getClass(), name);
        assertEquals(UsageErrors.class, b.getParameterExceptionHandler().getClass(), name);
        assertTrue(b.isCaseInsensitiveEnumValuesAllowed(), name);
        assertEquals(a.isCaseInsensitiveEnumValuesAllowed(), b.isCaseInsensitiveEnumValuesAllowed(), name);
        a.getSubcommands().forEach((sub, cli) -> assertSameHandling(cli, b.getSubcommands().get(sub)));
    }

    /** What {@code args} print on stderr and the exit code. */
    private static String run(CommandLine cli, String... args) {
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return code + " " + err;
    }
}
