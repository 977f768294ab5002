package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.operator.store.ChangedException;
import dev.berth.operator.store.StackRevision;
import dev.berth.operator.store.StackRevisions;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "undo", mixinStandardHelpOptions = true,
        description = {"Roll a stack back to an earlier revision (the previous one, or --to-revision N): its manifest"
                + " is applied again, with the checks of berth apply, and recorded as a new revision.",
                "A stack a GitSource syncs is refused without --force: its next sync writes it back as committed."})
public final class RolloutUndoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Mixin
    SecretKeyOption secretKey;

    @Parameters(arity = "1..2", paramLabel = "STACK", description = "stack/NAME or stack NAME")
    List<String> target;

    @Option(names = "--to-revision", paramLabel = "N", description = "The revision to go back to (default: the previous one).")
    Long toRevision;

    @Option(names = "--force", description = "Roll back a stack a GitSource syncs anyway (until its next sync).")
    boolean force;

    /**
     * Runs between the checks and the write; tests make a concurrent change here. Not an option: picocli sets only
     * annotated fields.
     */
    Runnable afterChecks = () -> {
    };

    @Override
    public Integer call() {
        TargetArgument named = TargetArgument.parse(target, "Stack", false, spec.commandLine());
        String name = named.name();
        Kinds kinds = Kinds.standard();
        KindDef kind = kinds.byKind("Stack").orElseThrow();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StackRevision target;
        Resource old;
        long checked;
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            StoredObject stored = StackEdit.load(session, kind, name);
            checked = stored.raw().modRevision();
            Resource current = stored.resource().orElseThrow();
            StackEdit.refuseIfSynced(current, force, "roll it back", "the rollback");
            List<StackRevision> revisions = session.store().revisions().list(name);
            target = pick(name, revisions, toRevision);
            old = parse(name, target);
            if (StackRevisions.sameRollout(current, old)) {
                out.println("stack/" + name + ": skipped rollback (the current spec already is revision "
                        + target.revision() + ")");
                out.flush();
                return 0;
            }
        }
        afterChecks.run();
        int exit;
        try {
            // Only over the stack as checked: a change meanwhile (even one that made a GitSource own it) is not
            // silently replaced.
            exit = SealedApply.run(List.of(old), secretKey, etcd, kinds, false,
                    "berth rollout undo --to-revision " + target.revision(), Map.of("stack/" + name, checked),
                    new PrintWriter(new StringWriter()), err);
        } catch (ChangedException e) {
            throw new CliException("stack/" + name + " changed while undoing; run it again");
        }
        if (exit == 0) {
            out.println("stack/" + name + " rolled back to revision " + target.revision());
            out.flush();
        }
        return exit;
    }

    /** Revision {@code n}, or without it the one before the newest (what ran before the last change). */
    static StackRevision pick(String stack, List<StackRevision> revisions, Long n) {
        if (n != null) {
            return RolloutHistoryCommand.find(stack, revisions, n);
        }
        if (revisions.size() < 2) {
            throw new CliException("stack/" + stack + " has no earlier revision to go back to (see berth rollout"
                    + " history stack " + stack + ")");
        }
        return revisions.get(revisions.size() - 2);
    }

    private static Resource parse(String stack, StackRevision revision) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("stack/" + stack + " revision "
                + revision.revision(), revision.manifest());
        if (!parsed.ok()) {
            throw new CliException("revision " + revision.revision() + " of stack/" + stack + " is not valid today: "
                    + parsed.errors().get(0));
        }
        if (parsed.resources().size() != 1 || !parsed.resources().get(0).key().equals("stack/" + stack)) {
            throw new CliException("revision " + revision.revision() + " of stack/" + stack + " is not that stack");
        }
        return parsed.resources().get(0);
    }
}
