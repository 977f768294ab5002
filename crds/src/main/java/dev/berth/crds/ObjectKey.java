package dev.berth.crds;

import java.util.Optional;

/**
 * An object's identity: singular lowercase kind and name, written "stack/web". The one spelling of it: the work
 * queue's key, the {@code berth.dev/owner} label's value and the status key all use {@link #toString()}.
 */
public record ObjectKey(String kind, String name) {
    public static final String STACK = "stack";
    public static final String NETWORK = "network";
    public static final String ROUTE = "route";
    public static final String SECRET = "secret";
    public static final String CONFIG = "config";

    public static ObjectKey stack(String name) {
        return new ObjectKey(STACK, name);
    }

    public static ObjectKey network(String name) {
        return new ObjectKey(NETWORK, name);
    }

    public static ObjectKey parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException("expected KIND/NAME, got " + text));
    }

    /** The key an owner label or a queue key names; empty when it is not KIND/NAME. */
    public static Optional<ObjectKey> tryParse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new ObjectKey(text.substring(0, slash), text.substring(slash + 1)));
    }

    /** The name, when this key is of {@code kind}. */
    public Optional<String> nameIf(String kind) {
        return this.kind.equals(kind) ? Optional.of(name) : Optional.empty();
    }

    @Override
    public String toString() {
        return kind + "/" + name;
    }
}
