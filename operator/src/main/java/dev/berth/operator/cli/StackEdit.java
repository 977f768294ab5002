package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Resource;
import dev.berth.operator.gitops.GitAnnotations;
import dev.berth.operator.store.StoredObject;
import java.util.function.Function;

/**
 * A change a command makes to one stored stack without the person editing YAML (restart, scale): read it, refuse a
 * stack a GitSource syncs unless forced, compute the new text, write it if the stack still has the mod revision it
 * was read at (with its revision history), and start again from the read when someone else wrote meanwhile.
 */
final class StackEdit {
    private static final int ATTEMPTS = 3;

    /**
     * @param verb   what the command does, as in "to VERB, change it in git" ("restart it", "roll it back")
     * @param undone what a sync would undo ("the restart")
     */
    record Request(String name, boolean force, String verb, String undone) {
    }

    /** The new text, and the change-cause recorded in the stack's history. */
    record Edited(String yaml, String cause) {
    }

    private StackEdit() {
    }

    /**
     * @param edit the new text from the current stack; returning the stored text unchanged writes nothing
     * @return true when written, false when the edit changed nothing
     */
    static boolean run(StoreSession session, KindDef kind, Request request, Function<Resource, Edited> edit) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            StoredObject stored = load(session, kind, request.name());
            Resource resource = stored.resource().orElseThrow();
            refuseIfSynced(resource, request.force(), request.verb(), request.undone());
            Edited edited = edit.apply(resource);
            if (edited.yaml().equals(stored.raw().value())) {
                return false;
            }
            if (session.store().replace(stored, edited.yaml(), edited.cause())) {
                return true;
            }
        }
        throw new CliException("stack/" + request.name() + " kept changing while this command edited it; try again");
    }

    /** The stored stack, valid, or a one-line error. */
    static StoredObject load(StoreSession session, KindDef kind, String name) {
        StoredObject stored = session.store().get(kind, name)
                .orElseThrow(() -> new CliException("stack/" + name + " not found"));
        if (stored.resource().isEmpty()) {
            throw new CliException("stack/" + name + " in etcd is not valid (see berth describe stack " + name
                    + "); fix it with berth apply first");
        }
        return stored;
    }

    /**
     * A stack a GitSource syncs is written back as committed by the next sync, so a change made here would silently
     * vanish; only {@code --force} makes it anyway (until that sync).
     */
    static void refuseIfSynced(Resource resource, boolean force, String verb, String undone) {
        String source = resource.metadata().annotations().get(GitAnnotations.SOURCE);
        if (source != null && !force) {
            throw new CliException("stack/" + resource.metadata().name() + " is synced from gitsource/" + source
                    + ": its next sync writes it back as committed, which would undo " + undone + "; to " + verb
                    + ", change it in git, or pass --force");
        }
    }
}
