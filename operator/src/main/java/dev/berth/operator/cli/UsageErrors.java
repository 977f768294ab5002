package dev.berth.operator.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Bad usage prints one line and exits 2: the message, a "did you mean" only when a command or option is close to what
 * was typed ({@link CloseNames}), and where the help is; picocli's default prints the whole usage and suggests
 * commands by loose similarity.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cli = ex.getCommandLine();
        String command = cli.getCommandSpec().qualifiedName();
        String message = ex.getMessage();
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String typed = unmatched.getUnmatched().get(0);
            if (typed.startsWith("-")) {
                message = "unknown option \"" + typed + "\" for \"" + command + "\""
                        + CloseNames.hint(typed.replaceFirst("=.*", ""), cli.getCommandSpec().optionsMap().keySet());
            } else if (!cli.getSubcommands().isEmpty()) {
                message = "unknown command \"" + typed + "\" for \"" + command + "\"" + CloseNames.hint(typed, cli.getSubcommands().keySet());
            }
        }
        PrintWriter err = cli.getErr();
        err.println("error: " + message + " (see " + command + " --help)");
        err.flush();
        return cli.getExitCodeExceptionMapper() != null ? cli.getExitCodeExceptionMapper().getExitCode(ex)
                : cli.getCommandSpec().exitCodeOnInvalidInput();
    }
}
