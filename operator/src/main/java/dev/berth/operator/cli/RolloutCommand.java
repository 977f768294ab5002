package dev.berth.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth rollout SUBCOMMAND}: the rollout of a stack's current revision (status). */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Look at a stack's rollout.",
        subcommands = {RolloutStatusCommand.class})
public final class RolloutCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a subcommand (see berth rollout --help)");
    }
}
