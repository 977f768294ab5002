package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine;

/**
 * Resolves "stacks", "stack", "st" or "Stack" to a kind, or fails as bad usage (exit 2) listing the kinds and, when
 * one is close to what was typed, "did you mean". {@link GetKinds} is the one list {@code get --help}, its errors and
 * shell completion show.
 */
final class KindArgument {
    /** The words {@code berth get} takes: every declared kind's plural (from {@link Kinds}), hosts and all. */
    static final class GetKinds implements Iterable<String> {
        static final String HOSTS = "hosts";
        static final String ALL = "all";

        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>(Kinds.standard().all().stream().map(KindDef::plural).toList());
            names.add(HOSTS);
            names.add(ALL);
            return names.iterator();
        }

        static List<String> list() {
            List<String> names = new ArrayList<>();
            new GetKinds().forEach(names::add);
            return names;
        }
    }

    private KindArgument() {
    }

    static KindDef resolve(Kinds kinds, String text, CommandLine commandLine) {
        return resolve(kinds, text, commandLine, kinds.all().stream().map(KindDef::plural).toList());
    }

    /** As {@link #resolve(Kinds, String, CommandLine)}, listing {@code known} (the words this command takes). */
    static KindDef resolve(Kinds kinds, String text, CommandLine commandLine, List<String> known) {
        return kinds.lookup(text).orElseThrow(() -> new CommandLine.ParameterException(commandLine,
                "unknown kind \"" + text + "\"" + hint(kinds, text, known) + " (known: " + String.join(", ", known) + ")"));
    }

    /** Close to any name of a kind (plural, singular, short) suggests its plural; {@code known}'s other words as typed. */
    private static String hint(Kinds kinds, String text, List<String> known) {
        List<String> close = new ArrayList<>();
        for (KindDef kind : kinds.all()) {
            if (known.contains(kind.plural()) && !CloseNames.to(text, kind.names()).isEmpty()) {
                close.add(kind.plural());
            }
        }
        CloseNames.to(text, known).forEach(n -> {
            if (!close.contains(n)) {
                close.add(n);
            }
        });
        return CloseNames.phrase(close);
    }
}
