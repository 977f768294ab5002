package dev.berth.operator.store;

import dev.berth.crds.ObjectKey;

/** What {@code berth apply} did to one object, printed like kubectl: "stack/web created". */
public record ApplyOutcome(ObjectKey key, Change change) {
    public enum Change { CREATED, CONFIGURED, UNCHANGED }

    @Override
    public String toString() {
        return key + " " + change.name().toLowerCase(java.util.Locale.ROOT);
    }
}
