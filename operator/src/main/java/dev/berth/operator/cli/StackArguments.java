package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Stack names from {@code KIND NAME...} or {@code KIND/NAME...} arguments (kind aliases through {@link KindArgument}),
 * refusing other kinds as bad usage (exit 2).
 */
final class StackArguments {
    private StackArguments() {
    }

    /** @param what the command's verb for errors ("waited for") */
    static List<String> parse(List<String> words, Kinds kinds, CommandLine commandLine, String what) {
        if (words == null || words.isEmpty()) {
            throw new CommandLine.ParameterException(commandLine, "missing KIND NAME or KIND/NAME");
        }
        List<String> names = new ArrayList<>();
        if (words.get(0).contains("/")) {
            for (String word : words) {
                int slash = word.indexOf('/');
                if (slash < 0) {
                    throw new CommandLine.ParameterException(commandLine, "expected KIND/NAME, got \"" + word + "\"");
                }
                names.add(stackName(kinds, word.substring(0, slash), word.substring(slash + 1), commandLine, what));
            }
            return names;
        }
        if (words.size() < 2) {
            throw new CommandLine.ParameterException(commandLine, "missing NAME after " + words.get(0));
        }
        for (String name : words.subList(1, words.size())) {
            names.add(stackName(kinds, words.get(0), name, commandLine, what));
        }
        return names;
    }

    private static String stackName(Kinds kinds, String kindText, String name, CommandLine commandLine, String what) {
        KindDef kind = KindArgument.resolve(kinds, kindText, commandLine);
        if (!kind.kind().equals("Stack")) {
            throw new CommandLine.ParameterException(commandLine, "only stacks can be " + what + " (got "
                    + kind.singular() + ")");
        }
        if (name.isEmpty() || name.contains("/")) {
            throw new CommandLine.ParameterException(commandLine, "not a stack name: \"" + name + "\"");
        }
        return name;
    }
}
