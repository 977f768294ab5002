package dev.berth.operator.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = BerthVersion.class,
        description = "Berth: declare stacks in etcd and let an operator on each Docker host converge to them.",
        subcommands = {ApplyCommand.class, OperatorCommand.class, DiffCommand.class, GetCommand.class, DescribeCommand.class, DeleteCommand.class,
                CordonCommand.class, UncordonCommand.class, DrainCommand.class, RebalanceCommand.class, ForgetCommand.class,
                DoctorCommand.class,
                ValidateCommand.class, ImportCommand.class, CreateCommand.class, SecretsCommand.class, RestartCommand.class,
                PsCommand.class,
                VersionCommand.class,
                CompletionCommand.class,
                ExplainCommand.class,
                WaitCommand.class, RolloutCommand.class, ScaleCommand.class, SyncCommand.class,
                EventsCommand.class,
                LogsCommand.class,
                ExecCommand.class,
                CommandLine.HelpCommand.class})
public final class BerthMain implements Runnable {
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
        System.exit(commandLine().execute(args));
    }

    /** The whole command tree with Berth's error handling; tests run commands through this in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BerthMain());
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }
}
