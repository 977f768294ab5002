package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.operator.store.StackRevision;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"List the kept revisions of a stack's spec (the last 10): every apply, GitSource sync, scale,"
                + " restart and undo that changed its spec or restarted it.",
                "With --revision N, print that revision's manifest as it was written."})
public final class RolloutHistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(arity = "1..2", paramLabel = "STACK", description = "stack/NAME or stack NAME")
    List<String> target;

    @Option(names = "--revision", paramLabel = "N", description = "Print the manifest of revision N.")
    Long revision;

    @Override
    public Integer call() {
        TargetArgument named = TargetArgument.parse(target, "Stack", false, spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        try (StoreSession session = StoreSession.reading(etcd, Kinds.standard())) {
            List<StackRevision> revisions = session.store().revisions().list(named.name());
            if (revisions.isEmpty() && session.store().get(Kinds.standard().byKind("Stack").orElseThrow(),
                    named.name()).isEmpty()) {
                throw new CliException("stack/" + named.name() + " not found");
            }
            if (revision != null) {
                out.print(find(named.name(), revisions, revision).manifest());
            } else {
                table(revisions, Instant.now()).print(out);
            }
        }
        out.flush();
        return 0;
    }

    static Table table(List<StackRevision> revisions, Instant now) {
        Table table = new Table("REVISION", "CHANGE-CAUSE", "AGE");
        revisions.forEach(r -> table.row(Long.toString(r.revision()), r.changeCause(), Ages.since(r.time(), now)));
        return table;
    }

    /** Revision {@code n} of the kept ones, or a one-line error listing those kept. */
    static StackRevision find(String stack, List<StackRevision> revisions, long n) {
        return revisions.stream().filter(r -> r.revision() == n).findFirst().orElseThrow(() -> new CliException(
                "stack/" + stack + " has no revision " + n + " (kept: " + (revisions.isEmpty() ? "none"
                        : String.join(", ", revisions.stream().map(r -> Long.toString(r.revision())).toList())) + ")"));
    }
}
