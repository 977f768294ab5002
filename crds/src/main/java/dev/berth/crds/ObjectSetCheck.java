package dev.berth.crds;

import dev.berth.crds.network.NetworkSetCheck;
import dev.berth.crds.stack.ContainerNameSetCheck;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one check across objects, for every path that writes desired objects: {@code berth validate} (the files
 * alone), {@code berth apply} and {@code import} (the files against etcd) and a GitOps sync (the commit against
 * etcd). Pure: the caller reads what is stored. Objects being applied replace stored ones of the same key.
 */
public final class ObjectSetCheck {
    private final List<SetCheck> rules;

    public ObjectSetCheck(List<SetCheck> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Every rule of every kind; a new kind with such rules adds them here. */
    public static ObjectSetCheck standard() {
        return new ObjectSetCheck(List.of(new NetworkSetCheck(), new ContainerNameSetCheck()));
    }

    /** The kinds ({@code network}) whose stored objects the check reads: a caller need list no others. */
    public Set<String> kinds() {
        return rules.stream().map(SetCheck::kind).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * @param applying what is being applied, valid objects only, each key once
     * @param stored   what etcd holds (objects of other kinds than {@link #kinds()} are ignored)
     * @return the problems of the objects being applied, at their fields; empty when the set is consistent
     */
    public List<ValidationError> check(List<Resource> applying, List<Resource> stored) {
        Set<String> replaced = applying.stream().map(Resource::key).collect(Collectors.toSet());
        SetCheckContext context = new SetCheckContext();
        for (SetCheck rule : rules) {
            List<Resource> mine = ofKind(applying, rule.kind());
            if (mine.isEmpty()) {
                continue;
            }
            List<Resource> staying = ofKind(stored, rule.kind()).stream()
                    .filter(r -> !replaced.contains(r.key())).toList();
            rule.check(mine, staying, context);
        }
        return context.errors();
    }

    private static List<Resource> ofKind(List<Resource> objects, String kind) {
        return objects.stream().filter(r -> r.kind().singular().equals(kind)).toList();
    }
}
