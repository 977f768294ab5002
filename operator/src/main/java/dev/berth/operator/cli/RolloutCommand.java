package dev.berth.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth rollout status|history|undo}: a stack's rollouts, like kubectl rollout. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Wait for, list and undo the rollouts of a stack (like kubectl rollout).",
        subcommands = {RolloutStatusCommand.class, RolloutHistoryCommand.class, RolloutUndoCommand.class})
public final class RolloutCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a subcommand (see berth rollout --help)");
    }
}
