package dev.berth.operator.reliability;

import dev.berth.operator.CliRun;
import java.util.ArrayList;
import java.util.List;

/** A command run with a list of {@code --flag=value} settings, and that list with one setting changed or dropped. */
final class CliFlags {
    private CliFlags() {
    }

    static CliRun cli(List<String> flags, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(flags);
        return CliRun.raw(all.toArray(String[]::new));
    }

    /** {@code flags} with {@code option} set to {@code value}, or without it when {@code value} is null. */
    static List<String> replace(List<String> flags, String option, String value) {
        List<String> all = new ArrayList<>(flags.stream().filter(f -> !f.startsWith(option + "=")).toList());
        if (value != null) {
            all.add(option + "=" + value);
        }
        return all;
    }
}
