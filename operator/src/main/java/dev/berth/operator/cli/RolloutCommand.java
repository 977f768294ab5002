package dev.berth.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth rollout history|undo} (and {@code status}, from the waiting part, when merged). */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Look at and undo the rollouts of a stack (like kubectl rollout).",
        subcommands = {RolloutHistoryCommand.class, RolloutUndoCommand.class})
public final class RolloutCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a subcommand (see berth rollout --help)");
    }
}
