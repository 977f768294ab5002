package dev.berth.crds;

import dev.berth.crds.stack.StackSpec;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The kinds Berth knows. Immutable; build one with {@link #standard()} and pass it to whoever needs it. */
public final class Kinds {
    private final List<KindDef> all;

    public Kinds(List<KindDef> kinds) {
        this.all = List.copyOf(kinds);
        // A name that resolves to two kinds would make `berth get <name>` ambiguous, so refuse it up front.
        var seen = new HashSet<String>();
        for (KindDef def : all) {
            var own = new HashSet<String>();
            def.names().forEach(n -> own.add(n.toLowerCase(Locale.ROOT)));
            for (String name : own) {
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("kind name \"" + name + "\" is used by more than one kind");
                }
            }
        }
    }

    /** The kinds of this Berth release. Adding a kind is one line here, a schema file and a spec record. */
    public static Kinds standard() {
        return new Kinds(List.of(
                new KindDef("Stack", "stack", "stacks", List.of("st"), StackSpec.class, "schemas/stack.yaml"),
                new KindDef("GitSource", "gitsource", "gitsources", List.of("gs"), dev.berth.crds.gitops.GitSourceSpec.class, "schemas/gitsource.yaml"),
                new KindDef("Network", "network", "networks", List.of("net"), dev.berth.crds.network.NetworkSpec.class,
                        "schemas/network.yaml"),
                new KindDef("Route", "route", "routes", List.of("rt"), dev.berth.crds.route.RouteSpec.class, "schemas/route.yaml"),
                new KindDef("Secret", "secret", "secrets", List.of(), dev.berth.crds.secret.SecretSpec.class,
                        "schemas/secret.yaml"),
                new KindDef("Config", "config", "configs", List.of("cfg"), dev.berth.crds.secret.ConfigSpec.class,
                        "schemas/config.yaml")));
    }

    /** The kind whose {@code kind:} field is exactly {@code kind} (case matters, as in Kubernetes manifests). */
    public Optional<KindDef> byKind(String kind) {
        return all.stream().filter(def -> def.kind().equals(kind)).findFirst();
    }

    /** The kind a person means on the command line: kind, singular, plural or a short name, any case. */
    public Optional<KindDef> lookup(String nameFromCli) {
        if (nameFromCli == null) {
            return Optional.empty();
        }
        return all.stream()
                .filter(def -> def.names().stream().anyMatch(n -> n.equalsIgnoreCase(nameFromCli)))
                .findFirst();
    }

    public List<KindDef> all() {
        return all;
    }
}
