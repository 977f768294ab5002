package dev.berth.operator.observability;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.operator.cli.BerthMain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The {@code `berth ...`} commands an alert's annotations quote, checked against the CLI's picocli tree: the command
 * (and subcommand) exists, and a kind word after get, describe or sync is a kind. A label template in a command is
 * tried with each value the label can take, so {@code berth get {{ $labels.kind }}s} is checked for every kind.
 */
final class AlertCommands {
    private static final Pattern QUOTED = Pattern.compile("`(berth [^`]*)`");
    private static final Pattern LABEL = Pattern.compile("\\{\\{\\s*\\$labels\\.([a-z_]+)\\s*}}");
    /** Commands whose first argument is a kind ("get stacks", "describe stack NAME", "sync gitsource NAME"). */
    private static final List<String> KIND_FIRST = List.of("get", "describe", "sync");

    private final Map<String, List<String>> labelValues;

    /** @param labelValues every value of each label an annotation may use inside a command */
    AlertCommands(Map<String, List<String>> labelValues) {
        this.labelValues = labelValues;
    }

    /** Problems with the commands quoted in {@code text}; empty when each one exists. */
    List<String> problems(String text) {
        List<String> problems = new ArrayList<>();
        Matcher quoted = QUOTED.matcher(text.replaceAll("\\s+", " "));
        while (quoted.find()) {
            for (String command : renderings(quoted.group(1))) {
                String problem = problem(command);
                if (problem != null) {
                    problems.add("`" + quoted.group(1) + "`" + (command.equals(quoted.group(1)) ? "" : " as `" + command
                            + "`") + ": " + problem);
                }
            }
        }
        return problems;
    }

    /** The command with each label template replaced by each of its values (one label at a time suffices here). */
    private List<String> renderings(String command) {
        Matcher label = LABEL.matcher(command);
        if (!label.find()) {
            return List.of(command);
        }
        List<String> values = labelValues.get(label.group(1));
        if (values == null) {
            return List.of(command); // reported by problem(): the template stays in the command
        }
        List<String> out = new ArrayList<>();
        for (String value : values) {
            out.addAll(renderings(command.substring(0, label.start()) + value + command.substring(label.end())));
        }
        return out;
    }

    private static String problem(String command) {
        if (command.contains("{{")) {
            return "a template this check cannot expand";
        }
        String[] words = command.split(" ");
        CommandLine cli = BerthMain.commandLine();
        if (words.length < 2 || !cli.getSubcommands().containsKey(words[1])) {
            return "berth has no command \"" + (words.length < 2 ? "" : words[1]) + "\" (commands: "
                    + cli.getSubcommands().keySet() + ")";
        }
        CommandLine sub = cli.getSubcommands().get(words[1]);
        if (words.length < 3 || !words[2].matches("[a-z][a-z-]*")) {
            return null; // no argument, an option, or a placeholder such as NAME
        }
        if (!sub.getSubcommands().isEmpty() && !KIND_FIRST.contains(words[1])) {
            return sub.getSubcommands().containsKey(words[2]) ? null
                    : "berth " + words[1] + " has no command \"" + words[2] + "\"";
        }
        if (KIND_FIRST.contains(words[1])) {
            boolean getWord = words[1].equals("get") && (words[2].equals("hosts") || words[2].equals("all"));
            if (!getWord && Kinds.standard().lookup(words[2]).isEmpty()) {
                return "\"" + words[2] + "\" is not a kind (" + Kinds.standard().all().stream().map(KindDef::plural)
                        .toList() + ")";
            }
        }
        return null;
    }
}
