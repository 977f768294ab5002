package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import java.util.List;
import picocli.CommandLine;

/**
 * One object of one kind named on the command line as {@code KIND/NAME[/PART]} or {@code KIND NAME[/PART]}, kind
 * aliases included ({@code st}, {@code stacks}); PART is a stack's service.
 *
 * @param part null when none was named
 */
record TargetArgument(String name, String part) {
    /** @param allowPart whether NAME/PART is accepted (a stack's service) */
    static TargetArgument parse(List<String> words, String kind, boolean allowPart, CommandLine commandLine) {
        KindDef expected = Kinds.standard().byKind(kind).orElseThrow();
        String usage = expected.singular() + "/NAME" + (allowPart ? "[/SERVICE]" : "") + " or " + expected.singular()
                + " NAME" + (allowPart ? "[/SERVICE]" : "");
        String kindText;
        String rest;
        if (words.size() == 2) {
            kindText = words.get(0);
            rest = words.get(1);
        } else if (words.size() == 1 && words.get(0).contains("/")) {
            kindText = words.get(0).substring(0, words.get(0).indexOf('/'));
            rest = words.get(0).substring(kindText.length() + 1);
        } else {
            throw new CommandLine.ParameterException(commandLine, "expected " + usage + ", got " + String.join(" ", words));
        }
        if (!KindArgument.resolve(Kinds.standard(), kindText, commandLine).equals(expected)) {
            throw new CommandLine.ParameterException(commandLine, "only " + expected.plural() + " can be named here (got "
                    + kindText + ")");
        }
        String[] parts = rest.split("/", -1);
        if (parts.length > (allowPart ? 2 : 1) || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new CommandLine.ParameterException(commandLine, "expected " + usage + ", got " + String.join(" ", words));
        }
        return new TargetArgument(parts[0], parts.length == 2 ? parts[1] : null);
    }
}
