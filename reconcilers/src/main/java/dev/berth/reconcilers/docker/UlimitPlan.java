package dev.berth.reconcilers.docker;

import java.util.Comparator;

/** One resource limit (Docker's {@code --ulimit NAME=SOFT:HARD}); -1 is unlimited. */
public record UlimitPlan(String name, long soft, long hard) implements Canonical.Form {
    /** Limits are a map by name: the order they were written in means nothing. */
    static final Comparator<UlimitPlan> BY_NAME = Comparator.comparing(UlimitPlan::name,
            Comparator.nullsFirst(Comparator.naturalOrder()));

    @Override
    public void writeCanonical(Canonical out) {
        out.record("UlimitPlan")
                .field("name", name)
                .field("soft", soft)
                .field("hard", hard);
    }
}
