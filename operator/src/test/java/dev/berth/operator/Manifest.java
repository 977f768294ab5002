package dev.berth.operator;

/** A manifest of any kind for tests: the header, and the spec as YAML (Stacks have their own builder, StackYaml). */
public final class Manifest {
    private Manifest() {
    }

    public static String of(String kind, String name, String spec) {
        return "apiVersion: berth.dev/v1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\nspec:\n" + spec.indent(2);
    }

    public static String route(String name, String spec) {
        return of("Route", name, spec);
    }

    public static String network(String name, String spec) {
        return of("Network", name, spec);
    }
}
