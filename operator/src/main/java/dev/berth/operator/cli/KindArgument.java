package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** Resolves "stacks", "stack", "st" or "Stack" to a kind, or fails as bad usage (exit 2) listing the kinds. */
final class KindArgument {
    private KindArgument() {
    }

    static KindDef resolve(Kinds kinds, String text, CommandLine commandLine) {
        return kinds.lookup(text).orElseThrow(() -> new CommandLine.ParameterException(commandLine,
                "unknown kind \"" + text + "\" (known: "
                        + kinds.all().stream().map(KindDef::plural).collect(Collectors.joining(", ")) + ")"));
    }
}
