package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import picocli.CommandLine;

/** {@code stack/NAME[/SERVICE[/REPLICA]]} as logs and exec take it; null parts are "every". */
record ReplicaTarget(String stack, String service, Integer replica) {
    static ReplicaTarget parse(String text, boolean replicaAllowed, CommandLine commandLine) {
        String[] parts = text.split("/", -1);
        int max = replicaAllowed ? 4 : 3;
        String shape = replicaAllowed ? "stack/NAME/SERVICE[/REPLICA]" : "stack/NAME[/SERVICE]";
        if (parts.length < 2 || parts.length > max || java.util.Arrays.stream(parts).anyMatch(String::isEmpty)) {
            throw new CommandLine.ParameterException(commandLine, "expected " + shape + ", got " + text);
        }
        KindDef kind = KindArgument.resolve(Kinds.standard(), parts[0], commandLine);
        if (!kind.kind().equals("Stack")) {
            throw new CommandLine.ParameterException(commandLine, "only stacks have containers (got " + kind.singular()
                    + "); expected " + shape);
        }
        Integer replica = null;
        if (parts.length == 4) {
            try {
                replica = Integer.parseInt(parts[3]);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(commandLine, "REPLICA must be a number, got " + parts[3]);
            }
        }
        return new ReplicaTarget(parts[1], parts.length > 2 ? parts[2] : null, replica);
    }

    boolean matches(String service, int number) {
        return (this.service == null || this.service.equals(service)) && (replica == null || replica == number);
    }

    @Override
    public String toString() {
        return "stack/" + stack + (service == null ? "" : "/" + service) + (replica == null ? "" : "/" + replica);
    }
}
