package dev.berth.operator.cli;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = BerthVersion.class,
        description = "Berth: declare stacks in etcd and let an operator on each Docker host converge to them.")
public final class BerthMain implements Runnable {
    /** Every command, in the order {@code berth --help} lists them. */
    private static final List<Class<?>> COMMANDS = List.of(ApplyCommand.class, OperatorCommand.class, DiffCommand.class,
            GetCommand.class, DescribeCommand.class, DeleteCommand.class, CordonCommand.class, UncordonCommand.class,
            DrainCommand.class, RebalanceCommand.class, ForgetCommand.class, DoctorCommand.class, ValidateCommand.class,
            ImportCommand.class, CreateCommand.class, SecretsCommand.class, RestartCommand.class, PsCommand.class,
            VersionCommand.class, CompletionCommand.class, ExplainCommand.class, WaitCommand.class, RolloutCommand.class,
            ScaleCommand.class, SyncCommand.class, EventsCommand.class, LogsCommand.class, ExecCommand.class,
            CommandLine.HelpCommand.class);
    /** Commands that read the other commands (help texts, the completion script): they get the whole tree. */
    private static final Set<Class<?>> READ_THE_TREE = Set.of(CompletionCommand.class, CommandLine.HelpCommand.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a command (see berth --help)");
    }

    public static void main(String[] args) {
        // Commands for people log warnings only; the operator logs what it does. Decided before any logger exists.
        boolean operator = args.length > 0 && args[0].equals("operator");
        if (System.getProperty("BERTH_LOG_LEVEL") == null && System.getenv("BERTH_LOG_LEVEL") == null) {
            System.setProperty("BERTH_LOG_LEVEL", operator ? "INFO" : "WARN");
        }
        // A command prints its own one line when etcd fails; jetcd's retry warnings would repeat it in a stack's words.
        if (System.getProperty("BERTH_CLIENT_LOG_LEVEL") == null && System.getenv("BERTH_CLIENT_LOG_LEVEL") == null) {
            System.setProperty("BERTH_CLIENT_LOG_LEVEL", operator ? "WARN" : "ERROR");
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(commandLineFor(args).execute(args));
    }

    /** The whole command tree with Berth's error handling; tests run commands through this in-process. */
    public static CommandLine commandLine() {
        return tree(COMMANDS);
    }

    /**
     * The tree {@code args} need: the command they name alone under {@code berth}, or the whole tree when they name
     * none (no arguments, options alone, a typo) or one that reads the others. picocli builds each command's model by
     * reflection when its tree is made, so a command's start skips the other commands' models (BENCHMARKS.md, "Issue
     * 21, round 11"). What a command prints and returns is the same in either tree.
     */
    public static CommandLine commandLineFor(String... args) {
        if (args.length == 0) {
            return commandLine();
        }
        return COMMANDS.stream().filter(command -> names(command).contains(args[0])).findFirst()
                .filter(command -> !READ_THE_TREE.contains(command))
                .map(command -> tree(List.of(command)))
                .orElseGet(BerthMain::commandLine);
    }

    /** The names a command answers to (its name and aliases), read from its annotation without making its model. */
    private static Set<String> names(Class<?> command) {
        Command annotation = command.getAnnotation(Command.class);
        Set<String> names = new HashSet<>(Arrays.asList(annotation.aliases()));
        names.add(annotation.name());
        return names;
    }

    private static CommandLine tree(List<Class<?>> commands) {
        CommandLine cli = new CommandLine(new BerthMain());
        for (Class<?> command : commands) {
            cli.addSubcommand(new CommandLine(command));
        }
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }
}
