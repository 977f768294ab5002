package dev.berth.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Parameters;

/**
 * The "host H" of cordon, uncordon and drain (a picocli mixin): the kind word must be host (or hosts); the host must
 * be one the cluster knows (a live record or a member record), else the command fails with the known hosts listed.
 */
final class HostArgument {
    @Parameters(index = "0", paramLabel = "host", description = "The word host.")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME", description = "The host, as `berth get hosts` lists it.")
    String host;

    void checkKind(CommandLine commandLine) {
        if (!kind.equalsIgnoreCase("host") && !kind.equalsIgnoreCase("hosts")) {
            throw new CommandLine.ParameterException(commandLine, "berth " + commandLine.getCommandName()
                    + " takes hosts only, not \"" + kind
                    + "\" (usage: berth " + commandLine.getCommandName() + " host NAME)");
        }
    }

    static void checkKnown(Cluster cluster, String host) {
        if (!cluster.known().contains(host)) {
            throw new CliException("unknown host \"" + host + "\": no live host record and no member record (known hosts: "
                    + (cluster.known().isEmpty() ? "none" : String.join(", ", cluster.known())) + ")");
        }
    }
}
